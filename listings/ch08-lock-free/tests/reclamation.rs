//! What the chapter says epoch-based reclamation costs: while one thread
//! stays pinned, nothing retired after its pin is freed, however often the
//! other threads try; once it unpins, everything is. In a file of its own,
//! so that no other test shares the process's epoch collector.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use crossbeam_epoch as epoch;

const RETIRED: usize = 1_000;

#[test]
fn a_stalled_pinned_thread_holds_back_every_later_free() {
    let freed = Arc::new(AtomicUsize::new(0));
    let (pinned, is_pinned) = mpsc::channel();
    let (wake, stalled) = mpsc::channel::<()>();
    let sleeper = thread::spawn(move || {
        let _guard = epoch::pin();
        pinned.send(()).expect("the test waits for the pin");
        stalled.recv().ok(); // stalled while pinned, as if descheduled
    });
    is_pinned.recv().expect("the sleeper pins");

    for _ in 0..RETIRED {
        let guard = epoch::pin();
        let freed = Arc::clone(&freed);
        guard.defer(move || freed.fetch_add(1, Relaxed));
        guard.flush(); // hand it to the global queue and try to collect
    }
    for _ in 0..10 * RETIRED {
        epoch::pin().flush();
    }
    assert_eq!(freed.load(Relaxed), 0, "freed while a thread was pinned");

    wake.send(()).expect("the sleeper waits");
    sleeper.join().expect("the sleeper does not panic");
    let freed = Arc::clone(&freed);
    finishes_within(Duration::from_secs(30), move || {
        while freed.load(Relaxed) < RETIRED {
            epoch::pin().flush();
        }
    });
}
