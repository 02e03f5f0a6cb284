//! Three simulated device drivers and three ways to run them.
//!
//! A driver waits for its device, handles what arrived, and waits again. The
//! drivers do not depend on each other, which is what makes the program
//! concurrent; *how* they are run — in turn, interleaved by one thread, or on a
//! thread each — is a separate choice.

use std::thread;
use std::time::{Duration, Instant};

use timeline::Recorder;

// ANCHOR: driver
/// One device and its driver: every `period` the device has an event for it.
#[derive(Debug, Clone)]
pub struct Driver {
    pub device: &'static str,
    /// What one event of this device is: a packet, a frame, a key press.
    pub event: &'static str,
    pub period: Duration,
}

impl Driver {
    /// Handles event `number`; the work is tiny, like a real driver's top half.
    fn handle(&self, number: u32) -> String {
        format!("{} {number}", self.event)
    }
}

/// The system of the chapter: a network card, a display and a keyboard.
pub fn the_drivers() -> Vec<Driver> {
    let driver = |device, event, period_ms| Driver {
        device,
        event,
        period: Duration::from_millis(period_ms),
    };
    vec![
        driver("network", "packet", 12),
        driver("display", "frame", 16),
        driver("keyboard", "key", 40),
    ]
}
// ANCHOR_END: driver

/// What one driver handled, in order: the same whichever way the drivers were
/// run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub device: &'static str,
    pub handled: Vec<String>,
}

fn empty_reports(drivers: &[Driver]) -> Vec<Report> {
    drivers
        .iter()
        .map(|driver| Report {
            device: driver.device,
            handled: Vec::new(),
        })
        .collect()
}

// ANCHOR: one_after_another
/// Each driver handles all its events before the next driver starts.
pub fn one_after_another(
    drivers: &[Driver],
    events: u32,
    recorder: &Recorder,
) -> Vec<Report> {
    let mut reports = empty_reports(drivers);
    for (driver, report) in drivers.iter().zip(&mut reports) {
        for number in 1..=events {
            let name = format!("{} {}", driver.event, number);
            let handled = recorder.span(name, || {
                thread::sleep(driver.period); // the device is not ready yet
                driver.handle(number)
            });
            report.handled.push(handled);
        }
    }
    reports
}
// ANCHOR_END: one_after_another

// ANCHOR: event_loop
/// One thread serves every driver: it sleeps until the device that is due first
/// is ready, handles that one event, and goes back to waiting — an event loop,
/// like a kernel's on a single CPU.
pub fn interleaved_on_one_thread(
    drivers: &[Driver],
    events: u32,
    recorder: &Recorder,
) -> Vec<Report> {
    let mut reports = empty_reports(drivers);
    let start = Instant::now();
    // For each driver: when it began waiting for its next event, and which
    // event that is.
    let mut waiting_since = vec![start; drivers.len()];
    let mut next = vec![1; drivers.len()];
    while let Some(due) = (0..drivers.len())
        .filter(|&d| next[d] <= events)
        .min_by_key(|&d| waiting_since[d] + drivers[d].period)
    {
        let driver = &drivers[due];
        let ready_at = waiting_since[due] + driver.period;
        thread::sleep(ready_at.saturating_duration_since(Instant::now()));
        let handled = driver.handle(next[due]);
        let now = Instant::now();
        recorder.record_between(handled.clone(), waiting_since[due], now);
        reports[due].handled.push(handled);
        waiting_since[due] = now;
        next[due] += 1;
    }
    reports
}
// ANCHOR_END: event_loop

// ANCHOR: a_thread_each
/// Every driver gets a thread of its own, named after its device, and runs
/// exactly as it did in `one_after_another`.
pub fn a_thread_each(
    drivers: &[Driver],
    events: u32,
    recorder: &Recorder,
) -> Vec<Report> {
    thread::scope(|scope| {
        let running: Vec<_> = drivers
            .iter()
            .map(|driver| {
                thread::Builder::new()
                    .name(driver.device.to_string())
                    .spawn_scoped(scope, move || {
                        one_after_another(
                            std::slice::from_ref(driver),
                            events,
                            recorder,
                        )
                    })
                    .expect("the system can start a thread")
            })
            .collect();
        running
            .into_iter()
            .flat_map(|thread| thread.join().expect("a driver panicked"))
            .collect()
    })
}
// ANCHOR_END: a_thread_each

/// The longest time one driver spends waiting for its events: the least any way
/// of running the drivers can take.
pub fn longest_driver(drivers: &[Driver], events: u32) -> Duration {
    drivers
        .iter()
        .map(|driver| driver.period * events)
        .max()
        .unwrap_or_default()
}

/// The time all waits take laid end to end: what running the drivers in turn
/// costs.
pub fn sum_of_waits(drivers: &[Driver], events: u32) -> Duration {
    drivers.iter().map(|driver| driver.period * events).sum()
}
