//! Chapter 12's exercise, solved: a queue worker that stops without losing a
//! job.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use ch12_graceful_shutdown::Counters;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// One job: a future to run to its end.
pub type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

// ANCHOR: worker
/// `serve` with a channel for a listener: take jobs until told to stop, then
/// wait for every job taken.
pub async fn work_until_cancelled(
    queue: &mut mpsc::Receiver<Job>,
    shutdown: CancellationToken,
    counters: Arc<Counters>,
) {
    let in_flight = TaskTracker::new();
    loop {
        tokio::select! {
            // The token first: once cancelled, not one more job is taken.
            biased;
            () = shutdown.cancelled() => break,
            // `recv` is cancellation safe: a job is taken, or left queued.
            job = queue.recv() => {
                let Some(job) = job else { break }; // closed and empty
                counters.accepted.fetch_add(1, Ordering::Relaxed);
                let counters = Arc::clone(&counters);
                in_flight.spawn(async move {
                    job.await;
                    counters.answered.fetch_add(1, Ordering::Relaxed);
                });
            }
        }
    }
    in_flight.close();
    in_flight.wait().await;
}
// ANCHOR_END: worker
