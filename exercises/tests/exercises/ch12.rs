use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use book_helpers::finishes_within;
use ch12_graceful_shutdown::Counters;
use exercises::ch12::{Job, work_until_cancelled};
use tokio::sync::{mpsc, watch};
use tokio::time;
use tokio_util::sync::CancellationToken;

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime")
}

/// A job that finishes only once `gate` is opened.
fn gated(gate: &watch::Receiver<bool>) -> Job {
    let mut gate = gate.clone();
    Box::pin(async move {
        // An error means the gate was dropped: the test is over anyway.
        let _ = gate.wait_for(|open| *open).await;
    })
}

/// Polls `counters` until `accepted` jobs were taken, for at most 5 s.
async fn until_accepted(counters: &Counters, accepted: usize) {
    for _ in 0..5_000 {
        if counters.accepted() >= accepted {
            return;
        }
        time::sleep(Duration::from_millis(1)).await;
    }
    panic!(
        "{} of {accepted} queued jobs taken after 5 s: are the jobs run \
         one after another instead of each in a task of its own?",
        counters.accepted()
    );
}

/// Five jobs taken and under way when the token is cancelled, three more
/// queued after it.
fn one_round() {
    current_thread().block_on(async {
        let (jobs, mut queue) = mpsc::channel(16);
        let (open, gate) = watch::channel(false);
        let shutdown = CancellationToken::new();
        let counters = Arc::new(Counters::default());
        let returned = AtomicBool::new(false);
        let worker = async {
            work_until_cancelled(
                &mut queue,
                shutdown.clone(),
                Arc::clone(&counters),
            )
            .await;
            returned.store(true, Ordering::SeqCst);
        };
        let driver = async {
            for _ in 0..5 {
                jobs.send(gated(&gate)).await.expect("the queue is open");
            }
            until_accepted(&counters, 5).await;
            shutdown.cancel();
            for _ in 0..3 {
                jobs.send(gated(&gate)).await.expect("the queue is open");
            }
            time::sleep(Duration::from_millis(20)).await;
            assert!(
                !returned.load(Ordering::SeqCst),
                "returned while the jobs it took were still running"
            );
            assert_eq!(counters.answered(), 0, "no job can be done yet");
            open.send(true).expect("the jobs wait on the gate");
        };
        tokio::join!(worker, driver);
        assert_eq!(counters.accepted(), 5, "jobs taken");
        assert_eq!(counters.answered(), 5, "every job taken is done");
        let mut left = 0;
        while queue.try_recv().is_ok() {
            left += 1;
        }
        assert_eq!(left, 3, "the jobs queued after the cancel stay queued");
    });
}

#[test]
fn ch12_cancelled_worker_drains_and_takes_no_more() {
    for _ in 0..10 {
        finishes_within(Duration::from_secs(30), one_round);
    }
}

#[test]
fn ch12_cancelled_before_the_start_takes_nothing() {
    finishes_within(Duration::from_secs(30), || {
        current_thread().block_on(async {
            let (jobs, mut queue) = mpsc::channel::<Job>(16);
            for _ in 0..3 {
                jobs.send(Box::pin(async {})).await.expect("open");
            }
            let shutdown = CancellationToken::new();
            shutdown.cancel();
            let counters = Arc::new(Counters::default());
            work_until_cancelled(&mut queue, shutdown, Arc::clone(&counters))
                .await;
            assert_eq!(counters.accepted(), 0);
            assert_eq!(queue.len(), 3, "all three still queued");
        });
    });
}

#[test]
fn ch12_closed_queue_ends_the_worker_after_its_jobs() {
    finishes_within(Duration::from_secs(30), || {
        current_thread().block_on(async {
            let (jobs, mut queue) = mpsc::channel::<Job>(16);
            for n in 0..4_u64 {
                let job = async move {
                    time::sleep(Duration::from_millis(5 * n)).await;
                };
                jobs.send(Box::pin(job)).await.expect("open");
            }
            drop(jobs);
            let counters = Arc::new(Counters::default());
            work_until_cancelled(
                &mut queue,
                CancellationToken::new(),
                Arc::clone(&counters),
            )
            .await;
            assert_eq!(counters.accepted(), 4);
            assert_eq!(counters.answered(), 4, "done before it returned");
        });
    });
}
