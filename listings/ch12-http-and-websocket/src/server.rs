//! The service: two JSON endpoints and a WebSocket endpoint on one axum router,
//! one task per WebSocket connection, and a shutdown that closes every
//! connection before returning.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio::time;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::room::{Event, Room};

/// A watcher whose socket accepts nothing for this long is disconnected, so a
/// client that stopped reading cannot hold its connection task (or the
/// shutdown) forever.
pub const SEND_DEADLINE: Duration = Duration::from_secs(5);

/// The close code a watcher receives when the server shuts down (RFC 6455:
/// "going away").
pub const GOING_AWAY: u16 = 1001;

/// The close code a watcher receives when it fell behind and missed events
/// (policy violation).
pub const FELL_BEHIND: u16 = 1008;

/// The body of `GET /health`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub watchers: usize,
}

/// The body of `POST /jobs`.
#[derive(Debug, Serialize, Deserialize)]
pub struct NewJob {
    pub name: String,
}

/// The answer to `POST /jobs`.
#[derive(Debug, Serialize, Deserialize)]
pub struct JobAccepted {
    pub job: u64,
    pub announced_to: usize,
}

/// What the server reports once it has stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Served {
    pub published: u64,
    pub watchers: u64,
}

/// What every handler shares; each clone is a few reference counts.
#[derive(Clone)]
struct App {
    room: Room,
    connections: TaskTracker,
    shutdown: CancellationToken,
    watchers_seen: Arc<AtomicU64>,
}

// ANCHOR: serve
/// Serves until `shutdown` is cancelled, then stops accepting, finishes the
/// HTTP requests in flight, closes every WebSocket with "going away", and
/// returns once all of that is done.
pub async fn serve(
    listener: TcpListener,
    backlog: usize,
    shutdown: CancellationToken,
) -> io::Result<Served> {
    let (room, room_task) = Room::start(backlog);
    let connections = TaskTracker::new();
    let watchers_seen = Arc::new(AtomicU64::new(0));
    let app = App {
        room,
        connections: connections.clone(),
        shutdown: shutdown.clone(),
        watchers_seen: Arc::clone(&watchers_seen),
    };
    let router = Router::new()
        .route("/health", get(health))
        .route("/jobs", post(submit_job))
        .route("/ws", get(watch))
        .with_state(app);
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await?;
    // HTTP is done; upgraded connections live on in their own tasks until they
    // close.
    connections.close();
    connections.wait().await;
    // With every handle gone, the room's task ends and says how much it
    // published.
    let published = room_task.await.map_err(io::Error::other)?;
    Ok(Served {
        published,
        watchers: watchers_seen.load(Ordering::Relaxed),
    })
}
// ANCHOR_END: serve

// ANCHOR: http
async fn health(State(app): State<App>) -> Json<Health> {
    Json(Health {
        status: "ok".to_string(),
        watchers: app.room.watchers(),
    })
}

async fn submit_job(
    State(app): State<App>,
    Json(job): Json<NewJob>,
) -> Result<(StatusCode, Json<JobAccepted>), (StatusCode, &'static str)> {
    if job.name.trim().is_empty() {
        return Err((StatusCode::UNPROCESSABLE_ENTITY, "a job needs a name"));
    }
    let published = app.room.publish("jobs".to_string(), job.name).await;
    let published =
        published.ok_or((StatusCode::SERVICE_UNAVAILABLE, "shutting down"))?;
    let accepted = JobAccepted {
        job: published.seq,
        announced_to: published.receivers,
    };
    Ok((StatusCode::CREATED, Json(accepted)))
}
// ANCHOR_END: http

// ANCHOR: upgrade
async fn watch(upgrade: WebSocketUpgrade, State(app): State<App>) -> Response {
    let name = format!(
        "watcher {}",
        app.watchers_seen.fetch_add(1, Ordering::Relaxed) + 1
    );
    // Subscribe before the handshake's answer goes out: a client that sees
    // itself connected has missed nothing published since.
    let events = app.room.subscribe();
    // From here on the shutdown waits for this connection, upgraded or not.
    let tracked = app.connections.token();
    let App { room, shutdown, .. } = app;
    upgrade.on_upgrade(move |socket| async move {
        connection(socket, name, events, room, shutdown).await;
        drop(tracked);
    })
}
// ANCHOR_END: upgrade

/// How a connection ended, for the server's log.
enum Ended {
    Left,
    Lost(String),
    Closed(String),
}

// ANCHOR: connection
/// One watcher's connection, as one task: whatever the client says goes to the
/// room, and every event from the room goes to the client, until one side
/// stops.
async fn connection(
    mut socket: WebSocket,
    name: String,
    mut events: broadcast::Receiver<Event>,
    room: Room,
    shutdown: CancellationToken,
) {
    eprintln!("{name} joined");
    let welcome = Event {
        seq: 0,
        from: "server".to_string(),
        text: name.clone(),
    };
    let mut ended = send(&mut socket, &welcome).await.err();
    while ended.is_none() {
        // All three futures are cancellation safe: the branch that loses
        // loses nothing (a half-read frame stays buffered, an event queued).
        ended = tokio::select! {
            () = shutdown.cancelled() => {
                let reason = "server shutting down";
                Some(close(&mut socket, GOING_AWAY, reason).await)
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    // The room ends only after its last handle, ours too.
                    room.publish(name.clone(), text.to_string()).await;
                    None
                }
                Some(Ok(Message::Close(_))) | None => {
                    Some(left(&mut socket).await)
                }
                Some(Ok(_)) => None, // The WebSocket layer answers pings.
                Some(Err(error)) => Some(Ended::Lost(error.to_string())),
            },
            event = events.recv() => match event {
                Ok(event) => send(&mut socket, &event).await.err(),
                // Lagged: this watcher missed events. Tell it so, rather
                // than let it believe it saw everything.
                Err(error) => {
                    let reason = format!("fell behind: {error}");
                    Some(close(&mut socket, FELL_BEHIND, &reason).await)
                }
            },
        };
    }
    match ended {
        Some(Ended::Lost(error)) => eprintln!("{name} lost: {error}"),
        Some(Ended::Closed(reason)) => {
            eprintln!("{name} closed by the server: {reason}")
        }
        Some(Ended::Left) | None => eprintln!("{name} left"),
    }
}
// ANCHOR_END: connection

async fn send(socket: &mut WebSocket, event: &Event) -> Result<(), Ended> {
    let json = serde_json::to_string(event)
        .map_err(|error| Ended::Lost(error.to_string()))?;
    match time::timeout(SEND_DEADLINE, socket.send(Message::text(json))).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(Ended::Lost(error.to_string())),
        Err(_) => Err(Ended::Lost("not reading: send timed out".to_string())),
    }
}

/// Sends a close frame and waits briefly for the client's answering one.
async fn close(socket: &mut WebSocket, code: u16, reason: &str) -> Ended {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let goodbye = async {
        socket.send(Message::Close(Some(frame))).await.ok()?;
        // Read until the client's close arrives (or the connection ends).
        while let Some(Ok(message)) = socket.recv().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
        Some(())
    };
    // A client that is gone cannot answer; the deadline covers that.
    let _ = time::timeout(SEND_DEADLINE, goodbye).await;
    Ended::Closed(reason.to_string())
}

/// The client closed: its close frame is answered on the next read, so read
/// to the end.
async fn left(socket: &mut WebSocket) -> Ended {
    let rest = async { while let Some(Ok(_)) = socket.recv().await {} };
    let _ = time::timeout(SEND_DEADLINE, rest).await;
    Ended::Left
}
