use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use book_helpers::finishes_within;
use exercises::ch28::drive_with_permits;

/// What the calls saw: the numbers started, in order, and the most in flight
/// at once.
#[derive(Default)]
struct Seen {
    started: Mutex<Vec<u64>>,
    in_flight: AtomicUsize,
    most: AtomicUsize,
}

/// Runs the driver on one thread with a call that takes a millisecond and
/// fails for `fails_at`.
fn run(
    concurrency: usize,
    calls: u64,
    fails_at: Option<u64>,
) -> (Result<Vec<Duration>, String>, Arc<Seen>) {
    finishes_within(Duration::from_secs(20), move || {
        let seen = Arc::new(Seen::default());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime");
        let watched = Arc::clone(&seen);
        let call = move |n: u64| {
            let seen = Arc::clone(&watched);
            async move {
                seen.started.lock().expect("no panic").push(n);
                let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                seen.most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(1)).await;
                seen.in_flight.fetch_sub(1, Ordering::SeqCst);
                match fails_at {
                    Some(bad) if bad == n => Err(format!("call {n} failed")),
                    _ => Ok(()),
                }
            }
        };
        let result =
            runtime.block_on(drive_with_permits(concurrency, calls, call));
        (result, seen)
    })
}

#[test]
fn ch28_every_call_once_never_more_than_the_permits() {
    for (concurrency, calls) in [(1, 20), (3, 60), (8, 60), (8, 5), (0, 4)] {
        let (result, seen) = run(concurrency, calls, None);
        let latencies = result.expect("no call fails");
        assert_eq!(latencies.len() as u64, calls, "a latency per call");
        assert!(latencies.is_sorted(), "latencies sorted");
        let mut started = seen.started.lock().expect("no panic").clone();
        started.sort_unstable();
        assert_eq!(started, (0..calls).collect::<Vec<_>>(), "each call once");
        let limit = concurrency.max(1).min(calls as usize);
        assert_eq!(
            seen.most.load(Ordering::SeqCst),
            limit,
            "{concurrency} permits, {calls} calls: the most in flight at once"
        );
    }
    let (result, seen) = run(4, 0, None);
    assert_eq!(result, Ok(Vec::new()));
    assert!(seen.started.lock().expect("no panic").is_empty());
}

#[test]
fn ch28_the_first_failure_ends_the_run() {
    let (result, seen) = run(4, 1_000, Some(20));
    assert_eq!(result, Err("call 20 failed".to_string()));
    let started = seen.started.lock().expect("no panic").len();
    assert!(
        started <= 20 + 2 * 4,
        "{started} calls started: the driver went on long after call 20 failed"
    );
}
