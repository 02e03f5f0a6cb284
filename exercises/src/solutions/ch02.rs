//! Chapter 2's exercise, solved: the event loop with a timer queue.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::thread;
use std::time::Instant;

use timeline::Recorder;

use ch02_drivers_three_ways::{Driver, Report};

// ANCHOR: timer_queue
/// The event loop of `interleaved_on_one_thread`, with the drivers' deadlines
/// in a min-heap: finding the driver due first costs O(log n) instead of a scan
/// of all n.
pub fn interleaved_with_a_timer_queue(
    drivers: &[Driver],
    events: u32,
    recorder: &Recorder,
) -> Vec<Report> {
    let mut reports: Vec<Report> = drivers
        .iter()
        .map(|driver| Report {
            device: driver.device,
            handled: Vec::new(),
        })
        .collect();
    let start = Instant::now();
    // (when it is ready, which driver, which event, since when it waits);
    // `Reverse` turns Rust's max-heap into the min-heap a timer queue
    // needs.
    let mut queue: BinaryHeap<Reverse<(Instant, usize, u32, Instant)>> =
        drivers
            .iter()
            .enumerate()
            .filter(|_| events > 0)
            .map(|(index, driver)| {
                Reverse((start + driver.period, index, 1, start))
            })
            .collect();
    while let Some(Reverse((ready_at, index, number, since))) = queue.pop() {
        thread::sleep(ready_at.saturating_duration_since(Instant::now()));
        let driver = &drivers[index];
        let handled = format!("{} {number}", driver.event);
        let now = Instant::now();
        recorder.record_between(handled.clone(), since, now);
        reports[index].handled.push(handled);
        if number < events {
            queue.push(Reverse((now + driver.period, index, number + 1, now)));
        }
    }
    reports
}
// ANCHOR_END: timer_queue
