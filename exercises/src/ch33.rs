//! Chapter 33's exercise: pick the model for a server that also computes.
//!
//! Write `serve_counts`: an async server that answers each request for a
//! prime count while it keeps waiting for more requests, with the counting
//! off the runtime's own thread and several counts in flight at once. Check
//! it with `cargo exercise ch33`.

use tokio::sync::mpsc::{Receiver, Sender};

/// Receives limits on `requests` and answers each with `(limit,
/// count(limit))` on `answers` as soon as that count is done, whatever the
/// other requests are doing. `count` computes and never waits: it must not
/// run on the runtime's own thread, and the counts of requests in flight
/// together run at the same time. Returns once `requests` is closed and
/// every request has been answered.
pub async fn serve_counts(
    requests: Receiver<u64>,
    answers: Sender<(u64, u64)>,
    count: fn(u64) -> u64,
) {
    // Your code here: which of chapter 32's models keeps the runtime free
    // for waiting while the computing happens elsewhere?
    todo!()
}
