//! Chapter 13's exercise: a bound on tasks, not only on the queue.
//!
//! Write `handle_each`: read records from a stream and handle each in a task
//! of its own, with a `tokio::sync::Semaphore` keeping at most `limit`
//! handlers running at once. Check it with `cargo exercise ch13`.

use futures::Stream;

/// Reads every record of `records`, spawns `handle(record)` as a task for
/// each, never with more than `limit` (at least 1) of them running at once,
/// and returns how many records it handled once every handler has finished.
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
    // Your code here: `Semaphore::acquire_owned` before each spawn, the
    // permit moved into the task, and a `tokio::task::JoinSet` to wait for
    // the handlers.
    todo!()
}
