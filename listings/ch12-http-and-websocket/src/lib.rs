//! A small HTTP and WebSocket service on tokio and axum, and real clients for
//! it.  `GET /health` and `POST /jobs` answer JSON; `GET /ws` upgrades to a
//! WebSocket whose connection is one task. Jobs posted over HTTP and lines said
//! over WebSocket become events, numbered by one room task and fanned out to
//! every watcher through a broadcast channel.

pub mod client;
pub mod room;
pub mod server;

pub use client::{ClientError, Watcher};
pub use room::{Event, Room};
pub use server::{Served, serve};
