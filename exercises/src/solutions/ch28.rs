//! Chapter 28's exercise, solved: a load driver with a permit per call.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

// ANCHOR: permits
/// Makes `calls` calls, one task each, with at most `concurrency` in flight:
/// a task holds a permit from start to end of its call, and the driver waits
/// for a free permit before it spawns the next.
pub async fn drive_with_permits<Call, Reply>(
    concurrency: usize,
    calls: u64,
    call: Call,
) -> Result<Vec<Duration>, String>
where
    Call: Fn(u64) -> Reply,
    Reply: Future<Output = Result<(), String>> + Send + 'static,
{
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let mut latencies = Vec::new();
    let mut collect = |done: Result<_, tokio::task::JoinError>| {
        let latency: Duration = done.map_err(|error| error.to_string())??;
        latencies.push(latency);
        Ok::<(), String>(())
    };
    for n in 0..calls {
        let permit = Arc::clone(&permits)
            .acquire_owned()
            .await
            .map_err(|error| error.to_string())?;
        // Calls that ended while we waited: an error stops the run here.
        while let Some(done) = tasks.try_join_next() {
            collect(done)?;
        }
        let reply = call(n);
        tasks.spawn(async move {
            let _permit = permit; // held until the call is over
            let sent = Instant::now();
            reply.await?;
            Ok::<_, String>(sent.elapsed())
        });
    }
    while let Some(done) = tasks.join_next().await {
        collect(done)?;
    }
    latencies.sort_unstable();
    Ok(latencies)
}
// ANCHOR_END: permits
