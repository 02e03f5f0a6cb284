//! Chapter 28's exercise: a load driver with a permit per call.
//!
//! Write `drive_with_permits`: the load driver of `ch28-grpc-load`, shaped
//! differently. Instead of `concurrency` callers that each take the next call
//! number, spawn one task per call, and let a `tokio::sync::Semaphore` of
//! `concurrency` permits decide when the next may start. Check it with
//! `cargo exercise ch28`.

use std::time::Duration;

/// Makes `calls` calls, `call(n)` for `n` in `0..calls`, each in a task of
/// its own, never more than `concurrency` (at least 1) in flight, and returns
/// every call's latency, sorted. The first failed call ends the run with its
/// error, and no call starts after the driver has seen it.
pub async fn drive_with_permits<Call, Reply>(
    concurrency: usize,
    calls: u64,
    call: Call,
) -> Result<Vec<Duration>, String>
where
    Call: Fn(u64) -> Reply,
    Reply: Future<Output = Result<(), String>> + Send + 'static,
{
    // Your code here. `Semaphore::acquire_owned` gives a permit a task can
    // keep until its call is over; `tokio::task::JoinSet` holds the tasks.
    todo!()
}
