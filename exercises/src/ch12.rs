//! Chapter 12's exercise: a queue worker that stops without losing a job.
//!
//! Write `work_until_cancelled`: the shape of
//! `ch12_graceful_shutdown::serve`, taking jobs from a channel instead of
//! connections from a listener. Check it with `cargo exercise ch12`.

use std::pin::Pin;
use std::sync::Arc;

use ch12_graceful_shutdown::Counters;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// One job: a future to run to its end.
pub type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Takes jobs from `queue` and runs each in a task of its own, counting it in
/// `counters.accepted` when taken and in `counters.answered` when done, until
/// `shutdown` is cancelled or the queue is closed. Then it takes no further
/// job (those still queued stay in `queue`) and returns once every job it
/// took is done.
pub async fn work_until_cancelled(
    queue: &mut mpsc::Receiver<Job>,
    shutdown: CancellationToken,
    counters: Arc<Counters>,
) {
    // Your code here: `tokio::select!` on the token and on `queue.recv()`,
    // and a `tokio_util::task::TaskTracker` for the jobs taken.
    todo!()
}
