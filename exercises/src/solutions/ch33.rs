//! Chapter 33's exercise, solved: a server that also computes.

use tokio::sync::mpsc::{Receiver, Sender};
use tokio::task::{JoinSet, spawn_blocking};

// ANCHOR: serve
/// Waiting stays on the runtime; each count goes to the blocking pool, and a
/// task per request sends its answer the moment its count is done.
pub async fn serve_counts(
    mut requests: Receiver<u64>,
    answers: Sender<(u64, u64)>,
    count: fn(u64) -> u64,
) {
    let mut in_flight = JoinSet::new();
    while let Some(limit) = requests.recv().await {
        let answers = answers.clone();
        in_flight.spawn(async move {
            let counted = spawn_blocking(move || count(limit))
                .await
                .expect("a count does not panic");
            // A caller that stopped listening needs no answer.
            let _ = answers.send((limit, counted)).await;
        });
    }
    while in_flight.join_next().await.is_some() {}
}
// ANCHOR_END: serve
