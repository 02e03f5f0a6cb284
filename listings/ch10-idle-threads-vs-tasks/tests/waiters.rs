//! Every waiter is released and finishes, whatever the count; no waiter is left
//! behind.

use std::time::Duration;

use book_helpers::finishes_within;
use ch10_idle_threads_vs_tasks::{idle_tasks, idle_threads, resident_bytes};

#[test]
fn stress_every_waiter_finishes_for_many_counts() {
    finishes_within(Duration::from_secs(120), || {
        for count in [1, 2, 3, 7, 16, 100, 333, 1000] {
            for _ in 0..5 {
                assert_eq!(idle_tasks(count).expect("tasks").1, count);
                assert_eq!(
                    idle_threads(count.min(300)).expect("threads").1,
                    count.min(300)
                );
            }
        }
    });
}

#[test]
fn resident_memory_is_readable_and_plausible() {
    let bytes = resident_bytes().expect("/proc/self/status");
    // The kernel counts in KiB; a test process with its threads and the
    // standard library mapped holds well over a MiB.
    assert_eq!(bytes % 1024, 0, "{bytes}");
    assert!(bytes > 1 << 20, "{bytes}");
}
