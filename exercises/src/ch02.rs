//! Chapter 2's exercise: the event loop with a timer queue.
//!
//! Write `interleaved_with_a_timer_queue`: the event loop of
//! `ch02_drivers_three_ways::interleaved_on_one_thread`, with the drivers'
//! deadlines in a `BinaryHeap` so that finding the driver due first costs
//! O(log n). Check it with `cargo exercise ch02`.

use ch02_drivers_three_ways::{Driver, Report};
use timeline::Recorder;

/// Handles `events` events of every driver on the calling thread, in the
/// order their devices become ready, recording each as a span from when its
/// driver began waiting to when it was handled.
pub fn interleaved_with_a_timer_queue(
    drivers: &[Driver],
    events: u32,
    recorder: &Recorder,
) -> Vec<Report> {
    // Your code here. `std::cmp::Reverse` turns `BinaryHeap`, a max-heap,
    // into the min-heap a timer queue needs.
    todo!()
}
