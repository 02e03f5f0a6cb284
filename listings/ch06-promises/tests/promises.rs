//! Promises kept exactly once, broken ones reported, and a pool that
//! returns every result to the right caller, many times over, each run
//! under a time limit.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use ch06_promises::oneshot::{NoValue, promise};
use ch06_promises::pool::ThreadPool;

const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn a_promise_kept_on_another_thread_delivers_its_value() {
    finishes_within(LIMIT, || {
        for round in 0..200u64 {
            let (promise, pending) = promise();
            thread::spawn(move || promise.fulfil(round * 3));
            assert_eq!(pending.wait(), Ok(round * 3));
        }
    });
}

#[test]
fn waiting_times_out_then_still_receives() {
    finishes_within(LIMIT, || {
        let (promise, pending) = promise();
        let first = pending.wait_timeout(Duration::from_millis(5));
        assert_eq!(first, Err(NoValue::TimedOut));
        promise.fulfil("late");
        assert_eq!(pending.wait_timeout(Duration::from_secs(5)), Ok("late"));
    });
}

#[test]
fn a_dropped_promise_is_reported_as_broken() {
    finishes_within(LIMIT, || {
        let (unkept, pending) = promise::<()>();
        drop(unkept);
        assert_eq!(pending.wait_timeout(LIMIT), Err(NoValue::Broken));
        assert_eq!(pending.wait(), Err(NoValue::Broken));
        // Fulfilling when nobody waits is not an error either.
        let (promise, pending) = promise();
        drop(pending);
        promise.fulfil(1);
    });
}

#[test]
fn the_pool_returns_each_result_to_its_own_caller() {
    finishes_within(LIMIT, || {
        for round in 0..200u64 {
            let threads = 1 + (round % 8) as usize;
            let pool = ThreadPool::new(threads);
            let pending: Vec<_> =
                (0..50).map(|n| pool.submit(move || n * round)).collect();
            for (n, result) in pending.into_iter().enumerate() {
                assert_eq!(result.wait(), Ok(n as u64 * round));
            }
        }
    });
}

#[test]
fn dropping_the_pool_runs_every_queued_job_first() {
    finishes_within(LIMIT, || {
        for threads in 1..=6 {
            let done = Arc::new(AtomicUsize::new(0));
            let pool = ThreadPool::new(threads);
            for _ in 0..100 {
                let done = Arc::clone(&done);
                // Nobody waits for these results.
                drop(pool.submit(move || done.fetch_add(1, Ordering::SeqCst)));
            }
            drop(pool);
            assert_eq!(done.load(Ordering::SeqCst), 100, "{threads} threads");
        }
    });
}

#[test]
fn a_panicking_task_breaks_its_promise_but_not_the_pool() {
    finishes_within(LIMIT, || {
        let pool = ThreadPool::new(1);
        let doomed = pool.submit(|| -> u8 { panic!("expected in this test") });
        let after = pool.submit(|| 5u8);
        assert_eq!(doomed.wait(), Err(NoValue::Broken));
        assert_eq!(after.wait(), Ok(5));
    });
}

#[test]
fn a_pool_of_zero_threads_still_has_one() {
    let pool = ThreadPool::new(0);
    assert_eq!(
        finishes_within(LIMIT, move || pool.submit(|| 1).wait()),
        Ok(1)
    );
}
