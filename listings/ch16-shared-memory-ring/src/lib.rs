//! A single-producer, single-consumer ring buffer whose every shared byte is
//! an atomic, so that it can live in memory that two processes map.
//!
//! `ring` holds the index logic, the one copy that both the processes and
//! the loom model (`tests/loom.rs`) run. `shm` places a ring in a file in
//! `/dev/shm`, and `stream` is the same transfer over a pipe or a socket.

pub mod ring;
pub mod shm;
pub mod stream;
pub mod sync;
