//! Chapter 13's exercise, solved: a bound on tasks, not only on the queue.

use std::sync::Arc;

use futures::{Stream, StreamExt};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

// ANCHOR: bounded_tasks
/// A task per record, but a permit per task: when `limit` handlers are
/// running, the loop waits for one to finish before it reads the next
/// record, and the stream's producer feels that wait as backpressure.
pub async fn handle_each<S, F, Fut>(
    records: S,
    limit: usize,
    handle: F,
) -> usize
where
    S: Stream<Item = Vec<u8>>,
    F: Fn(Vec<u8>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let permits = Arc::new(Semaphore::new(limit.max(1)));
    let mut handlers = JoinSet::new();
    let mut records = std::pin::pin!(records);
    let mut handled = 0;
    while let Some(record) = records.next().await {
        let permit = Arc::clone(&permits)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let work = handle(record);
        handlers.spawn(async move {
            work.await;
            drop(permit); // the next record may now be read
        });
        handled += 1;
        // Collect the handlers that have finished, so the set stays small.
        while let Some(finished) = handlers.try_join_next() {
            finished.expect("a handler panicked");
        }
    }
    while let Some(finished) = handlers.join_next().await {
        finished.expect("a handler panicked");
    }
    handled
}
// ANCHOR_END: bounded_tasks
