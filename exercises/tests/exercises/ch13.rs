use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use book_helpers::finishes_within;
use ch13_backpressure::record;
use exercises::ch13::handle_each;
use tokio::sync::{mpsc, watch};
use tokio::time;
use tokio_stream::wrappers::ReceiverStream;

/// What the handlers saw: how many ran at once, at most, and which records
/// they handled.
#[derive(Default)]
struct Seen {
    running: AtomicUsize,
    peak: AtomicUsize,
    numbers: Mutex<Vec<u32>>,
}

/// `items` records through a bounded channel into `handle_each` with
/// `limit`; every handler waits until the check has seen `limit` of them
/// running at once (or all of them, if fewer), then lets them all finish.
fn run(items: u32, limit: usize, workers: usize) -> Arc<Seen> {
    let runtime = if workers == 0 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(workers);
        builder
    }
    .enable_time()
    .build()
    .expect("a runtime");
    let seen = Arc::new(Seen::default());
    let result = Arc::clone(&seen);
    runtime.block_on(async move {
        let (sender, receiver) = mpsc::channel(4);
        tokio::spawn(async move {
            for number in 0..items {
                if sender.send(record(number)).await.is_err() {
                    return;
                }
            }
        });
        let (open, gate) = watch::channel(false);
        let watcher = {
            let seen = Arc::clone(&seen);
            let full = limit.min(items as usize);
            async move {
                for _ in 0..5_000 {
                    if seen.running.load(Ordering::SeqCst) >= full {
                        break;
                    }
                    time::sleep(Duration::from_millis(1)).await;
                }
                let running = seen.running.load(Ordering::SeqCst);
                assert!(
                    running <= full,
                    "{running} handlers running at once with a limit of \
                     {limit}"
                );
                assert_eq!(
                    running, full,
                    "handlers running side by side after 5 s: are they \
                     awaited one at a time?"
                );
                open.send(true).expect("the handlers wait on the gate");
            }
        };
        let handled = handle_each(
            ReceiverStream::new(receiver),
            limit,
            |bytes: Vec<u8>| {
                let seen = Arc::clone(&seen);
                let mut gate = gate.clone();
                async move {
                    let now = seen.running.fetch_add(1, Ordering::SeqCst) + 1;
                    seen.peak.fetch_max(now, Ordering::SeqCst);
                    let _ = gate.wait_for(|open| *open).await;
                    time::sleep(Duration::from_micros(200)).await;
                    let number = u32::from_le_bytes(
                        bytes[..4].try_into().expect("4 bytes"),
                    );
                    seen.numbers.lock().expect("no panic").push(number);
                    seen.running.fetch_sub(1, Ordering::SeqCst);
                }
            },
        );
        let (handled, ()) = tokio::join!(handled, watcher);
        assert_eq!(handled, items as usize, "records handled");
        let numbers = seen.numbers.lock().expect("no panic").len();
        assert_eq!(
            numbers, handled,
            "every handler finished before handle_each returned"
        );
    });
    result
}

#[test]
fn ch13_at_most_limit_handlers_run_at_once() {
    for (items, limit, workers) in [
        (200, 4, 0),
        (200, 4, 2),
        (50, 1, 2),
        (3, 8, 0),
        (300, 16, 3),
    ] {
        let seen = finishes_within(Duration::from_secs(60), move || {
            run(items, limit, workers)
        });
        let peak = seen.peak.load(Ordering::SeqCst);
        assert!(
            peak <= limit,
            "{peak} handlers ran at once with a limit of {limit}"
        );
        let mut numbers = seen.numbers.lock().expect("no panic").clone();
        numbers.sort_unstable();
        assert_eq!(
            numbers,
            (0..items).collect::<Vec<_>>(),
            "each record handled exactly once"
        );
    }
}
