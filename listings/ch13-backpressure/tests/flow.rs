//! Whatever the channel, every record arrives once and in order; a bounded
//! channel never holds more than its capacity, an unbounded one holds whatever
//! the consumer is behind by.

use std::time::Duration;

use book_helpers::finishes_within;
use ch13_backpressure::{Channel, expected, run};

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime")
}

fn multi_thread(workers: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_time()
        .build()
        .expect("a runtime")
}

#[test]
fn stress_bounded_channels_never_hold_more_than_their_capacity() {
    finishes_within(Duration::from_secs(120), || {
        for iteration in 0..200_u32 {
            let capacity = 1 + (iteration as usize * 7) % 64;
            let items = 1 + iteration * 37 % 3000;
            let runtime = if iteration % 2 == 0 {
                current_thread()
            } else {
                multi_thread(1 + iteration as usize % 3)
            };
            let (summary, flow) =
                runtime.block_on(run(items, Channel::Bounded(capacity)));
            assert_eq!(summary, expected(items), "iteration {iteration}");
            // The count of consumed records trails the channel by at most the
            // one record the consumer has taken out but not yet
            // counted.
            assert!(
                flow.peak_queued() <= capacity + 1,
                "iteration {iteration}: {}",
                flow.peak_queued()
            );
        }
    });
}

#[test]
fn on_one_thread_an_unbounded_channel_queues_everything_first() {
    let (summary, flow) = finishes_within(Duration::from_secs(60), || {
        current_thread().block_on(run(5000, Channel::Unbounded))
    });
    assert_eq!(summary, expected(5000));
    assert_eq!(flow.peak_queued(), 5000, "the producer never waited");
}

#[test]
fn on_one_thread_a_bounded_channel_holds_exactly_its_capacity_at_most() {
    let (summary, flow) = finishes_within(Duration::from_secs(60), || {
        current_thread().block_on(run(5000, Channel::Bounded(16)))
    });
    assert_eq!(summary, expected(5000));
    assert_eq!(flow.peak_queued(), 16);
}

#[test]
fn unbounded_channels_on_a_pool_still_deliver_everything_in_order() {
    finishes_within(Duration::from_secs(60), || {
        for workers in 1..=4 {
            let (summary, _) =
                multi_thread(workers).block_on(run(3000, Channel::Unbounded));
            assert_eq!(summary, expected(3000), "{workers} workers");
        }
    });
}
