//! Quiz questions about what concurrent code can do, answered by running that code: each test
//! runs a listing's own functions (exhaustively over the cases a question names, or as a
//! stress run), collects every outcome it sees, and fails unless that set is exactly the
//! question's answer key. The questions about atomics are answered by loom instead, in the
//! model-checking tests of `ch07-atomics` and `ch16-shared-memory-ring`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use book_helpers::finishes_within;
use book_tests::quiz::{assert_answer_key, choices};
use book_tests::src_dir;

fn quiz(part: &str, chapter: &str) -> PathBuf {
    src_dir()
        .join(part)
        .join("quizzes")
        .join(format!("{chapter}.toml"))
}

/// Runs `round` until every right answer of question `id` has been seen or `budget` is spent
/// (at least `min_rounds` rounds either way), and returns every outcome seen. A stress run can
/// only show what happened, so it stops early only once the key's answers have all appeared;
/// any outcome outside the key still fails the comparison afterwards.
fn stress(
    path: &Path,
    id: &str,
    min_rounds: usize,
    budget: Duration,
    mut round: impl FnMut(usize) -> Vec<String>,
) -> BTreeSet<String> {
    let (answers, _) = choices(path, id);
    let started = Instant::now();
    let mut seen = BTreeSet::new();
    let mut rounds = 0;
    while rounds < min_rounds || (!answers.is_subset(&seen) && started.elapsed() < budget) {
        seen.extend(round(rounds));
        rounds += 1;
    }
    seen
}

// --- Chapter 3: how much coordination each version needs -----------------------------------

const CH03: &str = "ch03-coordination-needs-communication";

#[test]
fn ch03_the_lock_is_taken_once_per_document() {
    let path = quiz("part1", CH03);
    let docs = ch03_shared_vs_messages::documents(16, 200);
    let mut seen = BTreeSet::new();
    for workers in [1, 2, 3, 16] {
        for _ in 0..20 {
            let recorder = timeline::Recorder::new();
            let (_, coordination) =
                ch03_shared_vs_messages::shared_state(&docs, workers, &recorder);
            seen.insert(coordination.locks.to_string());
        }
    }
    assert_answer_key(&path, "0b6a8f3e-5d2c-4f7a-9e1b-3c8d2a7f6e10", &seen);
}

#[test]
fn ch03_the_coordinator_sends_two_messages_per_document() {
    let path = quiz("part1", CH03);
    let docs = ch03_shared_vs_messages::documents(16, 200);
    let mut seen = BTreeSet::new();
    for workers in [1, 2, 3, 16] {
        for _ in 0..20 {
            let recorder = timeline::Recorder::new();
            let (_, coordination) =
                ch03_shared_vs_messages::message_passing(&docs, workers, &recorder);
            seen.insert(coordination.messages.to_string());
        }
    }
    assert_answer_key(&path, "5e2f9c41-7a3b-4d86-b0c5-8f1e6d2a9b37", &seen);
}

// --- Chapter 5: which crossing transfers deadlock ------------------------------------------

/// Runs `transfers` (pairs of account indices) at once with the naive lock order and the
/// listing's pause between the two locks; true if all of them finished in time.
fn all_finish(transfers: &[(usize, usize)]) -> bool {
    use ch05_deadlock::{Account, transfer_in_argument_order};
    let accounts: Vec<Arc<Account>> = (0..4).map(|id| Account::new(id, 100)).collect();
    let start = Arc::new(Barrier::new(transfers.len()));
    let (done, finished) = std::sync::mpsc::channel();
    for &(from, to) in transfers {
        let (from, to) = (Arc::clone(&accounts[from]), Arc::clone(&accounts[to]));
        let (start, done) = (Arc::clone(&start), done.clone());
        // A deadlocked pair stays blocked until the test process ends; nothing else
        // touches these accounts.
        thread::spawn(move || {
            start.wait();
            transfer_in_argument_order(&from, &to, 10, Duration::from_millis(50));
            let _ = done.send(());
        });
    }
    drop(done);
    (0..transfers.len()).all(|_| finished.recv_timeout(Duration::from_secs(2)).is_ok())
}

#[test]
fn ch05_only_a_cycle_of_transfers_deadlocks() {
    let path = quiz("part2", "ch05-threads-and-shared-state");
    let id = "9d4c2b7e-1f6a-4e38-a5d9-2c7b8e0f4a61";
    let (_, offered) = choices(&path, id);
    // Every choice names its transfers as `X→Y` pairs of accounts A to D.
    let mut deadlocking = BTreeSet::new();
    for choice in &offered {
        let transfers: Vec<(usize, usize)> = choice
            .split(|c: char| !(c.is_ascii_uppercase() || c == '→'))
            .filter(|word| word.contains('→'))
            .map(|pair| {
                let mut ends = pair
                    .split('→')
                    .map(|end| usize::from(end.as_bytes()[0] - b'A'));
                (ends.next().unwrap(), ends.next().unwrap())
            })
            .collect();
        assert!(
            !transfers.is_empty(),
            "cannot read the transfers of {choice:?}"
        );
        if !all_finish(&transfers) {
            deadlocking.insert(choice.clone());
        }
    }
    assert_answer_key(&path, id, &deadlocking);
}

// --- Chapter 8: the orders a Treiber stack can give back -----------------------------------

#[test]
fn ch08_two_concurrent_pushes_pop_in_either_order() {
    let path = quiz("part2", "ch08-lock-free-structures");
    let id = "c71e5a09-3b8d-4f2e-9a64-0d5f1b7c8e23";
    let seen = finishes_within(Duration::from_secs(60), move || {
        let path = quiz("part2", "ch08-lock-free-structures");
        stress(&path, id, 200, Duration::from_secs(20), |_| {
            let stack = ch08_lock_free::treiber::TreiberStack::new();
            let start = Barrier::new(2);
            thread::scope(|scope| {
                for value in [1, 2] {
                    let (stack, start) = (&stack, &start);
                    scope.spawn(move || {
                        start.wait();
                        stack.push(value);
                    });
                }
            });
            let popped: Vec<i32> = std::iter::from_fn(|| stack.pop()).collect();
            vec![format!("{popped:?}")]
        })
    });
    assert_answer_key(&path, id, &seen);
}

// --- Chapter 9: a pool without workers, a sieve with any capacity --------------------------

const CH09: &str = "ch09-channels-and-pipelines";

#[test]
fn ch09_a_pool_without_workers_reports_a_stall() {
    let path = quiz("part2", CH09);
    let seen = finishes_within(Duration::from_secs(30), || {
        (0..5)
            .map(|_| {
                let result =
                    ch09_channels::fan_out_fan_in(&[27, 97, 871], 0, Duration::from_millis(50));
                format!("{result:?}")
            })
            .collect::<BTreeSet<_>>()
    });
    assert_answer_key(&path, "e3a81d6c-4b9f-4a27-8c15-6f0d2e9b7a48", &seen);
}

#[test]
fn ch09_the_sieve_finds_the_same_primes_at_every_capacity() {
    let path = quiz("part2", CH09);
    let seen = finishes_within(Duration::from_secs(60), || {
        let mut seen = BTreeSet::new();
        for capacity in 1..=7 {
            for _ in 0..10 {
                seen.insert(format!("{:?}", ch09_channels::sieve(10, capacity)));
            }
        }
        seen
    });
    assert_answer_key(&path, "4f8b2e6a-9c1d-4e73-b2a5-7d0c3f9e1b84", &seen);
}

// --- Chapter 11: which way of waiting stalls a current-thread runtime ----------------------

#[test]
fn ch11_only_blocking_in_the_task_stalls_the_heartbeat() {
    use ch11_blocking_the_runtime::{PIECE, Waiting, current_thread, run};
    let path = quiz("part2", "ch11-async-await-on-tokio");
    let seen = finishes_within(Duration::from_secs(60), || {
        let runtime = current_thread().expect("a runtime");
        let mut stalled = BTreeSet::new();
        for waiting in [Waiting::Await, Waiting::BlockInTask, Waiting::SpawnBlocking] {
            // A blocked runtime thread cannot tick for a whole piece, so a gap of a piece or
            // more is certain for it. A healthy heartbeat can still be held up that long by a
            // busy machine, so it counts as stalled only if three runs in a row say so.
            let stalls = (0..3).all(|_| run(&runtime, 2, waiting).longest_gap >= PIECE);
            if stalls {
                stalled.insert(format!("Waiting::{waiting:?}"));
            }
        }
        stalled
    });
    assert_answer_key(&path, "2a9e7c15-8d3f-4b60-a1e4-5c8b0d6f3a92", &seen);
}

// --- Chapter 12: what a client sees when the shutdown comes at any moment -----------------

#[test]
fn ch12_a_request_is_answered_or_refused_never_dropped() {
    use ch12_graceful_shutdown::{Counters, Outcome, request, serve};
    let path = quiz("part2", "ch12-cancellation-and-structured-concurrency");
    let id = "7b3d0f92-6e1a-4c58-9f27-a4e1c8b5d063";
    let seen = finishes_within(Duration::from_secs(120), move || {
        let path = quiz("part2", "ch12-cancellation-and-structured-concurrency");
        stress(&path, id, 30, Duration::from_secs(40), |round| {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1 + round % 3)
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("a port on 127.0.0.1");
                let address = listener.local_addr().expect("an address");
                let shutdown = tokio_util::sync::CancellationToken::new();
                let counters = Arc::new(Counters::default());
                let server = tokio::spawn(serve(
                    listener,
                    shutdown.clone(),
                    Duration::from_millis(20),
                    Arc::clone(&counters),
                ));
                // The clients arrive 4 ms apart, and the shutdown lands anywhere from before the
                // first of them to after the last answer.
                let clients: Vec<_> = (0..6)
                    .map(|client| {
                        tokio::spawn(async move {
                            tokio::time::sleep(Duration::from_millis(4 * client as u64)).await;
                            request(address, client).await
                        })
                    })
                    .collect();
                tokio::time::sleep(Duration::from_micros(round as u64 * 2_713 % 50_000)).await;
                shutdown.cancel();
                let mut outcomes = Vec::new();
                for client in clients {
                    outcomes.push(match client.await.expect("a client task") {
                        Ok(Outcome::Answered) => "answered".to_string(),
                        Ok(Outcome::Refused) => "refused".to_string(),
                        Err(error) => format!("failed: {error}"),
                    });
                }
                server.await.expect("the server task");
                if counters.accepted() != counters.answered() {
                    outcomes.push("accepted by the server but never answered".to_string());
                }
                outcomes
            })
        })
    });
    assert_answer_key(&path, id, &seen);
}
