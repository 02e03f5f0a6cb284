use std::sync::{Barrier, Mutex};
use std::thread::{self, ThreadId};
use std::time::Duration;

use book_helpers::finishes_within;
use ch32_one_problem_every_model::sequential;
use exercises::ch33::serve_counts;
use tokio::sync::mpsc;

/// The threads every count ran on.
static COUNTED_ON: Mutex<Vec<ThreadId>> = Mutex::new(Vec::new());
/// Two counts that can only finish together, at the same time.
static TOGETHER: Barrier = Barrier::new(2);

/// Chapter 32's loop, noting its thread; the limits 11 and 13 also wait for
/// each other.
fn count(limit: u64) -> u64 {
    COUNTED_ON
        .lock()
        .expect("no panic")
        .push(thread::current().id());
    if limit == 11 || limit == 13 {
        TOGETHER.wait();
    }
    sequential(limit)
}

#[test]
fn ch33_answers_while_it_waits_and_counts_elsewhere() {
    let answers = finishes_within(Duration::from_secs(20), || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let (ask, requests) = mpsc::channel(8);
        let (reply, mut answers) = mpsc::channel(8);
        let runtime_thread = thread::current().id();
        let got = runtime.block_on(async move {
            let server = tokio::spawn(serve_counts(requests, reply, count));
            let mut got = Vec::new();
            // One request at a time first: each answer comes while the
            // request channel is still open.
            for limit in [0, 25_000, 100] {
                ask.send(limit).await.expect("the server listens");
                got.push(answers.recv().await.expect("an answer"));
            }
            // Two counts that finish only if both run at once.
            ask.send(11).await.expect("the server listens");
            ask.send(13).await.expect("the server listens");
            got.push(answers.recv().await.expect("an answer"));
            got.push(answers.recv().await.expect("an answer"));
            for limit in [30_001, 7, 60_000] {
                ask.send(limit).await.expect("the server listens");
            }
            drop(ask);
            server.await.expect("the server does not panic");
            while let Some(answer) = answers.recv().await {
                got.push(answer);
            }
            got
        });
        let threads = COUNTED_ON.lock().expect("no panic").clone();
        assert_eq!(threads.len(), 8, "one count per request");
        assert!(
            threads.iter().all(|&id| id != runtime_thread),
            "a count ran on the runtime's own thread"
        );
        got
    });
    let mut limits: Vec<u64> =
        answers.iter().map(|&(limit, _)| limit).collect();
    limits.sort_unstable();
    assert_eq!(limits, [0, 7, 11, 13, 100, 25_000, 30_001, 60_000]);
    for (limit, counted) in answers {
        assert_eq!(counted, sequential(limit), "primes below {limit}");
    }
}
