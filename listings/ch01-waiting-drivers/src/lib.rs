//! Three device drivers that spend nearly all their time waiting, and two ways
//! to run them.
//!
//! Each driver is an independent activity: it waits for its device, then
//! handles what arrived. Nothing about a driver depends on the others, so they
//! can be run one after another or all at once; the results are the same, only
//! the total time differs.

use std::thread;
use std::time::Duration;

// ANCHOR: driver
/// A driver for one device: it waits for the device, handles the event, and
/// repeats.
#[derive(Debug, Clone)]
pub struct Driver {
    pub device: &'static str,
    /// What one event from this device is called: a packet, a frame, a key.
    pub event: &'static str,
    /// How long the device takes to produce each event.
    pub wait: Duration,
    pub events: u32,
}

impl Driver {
    /// Handles every event of this device, in order, and reports what it
    /// handled.
    pub fn run(&self) -> Report {
        let mut handled = Vec::new();
        for number in 1..=self.events {
            // Waiting for the device: the thread sleeps and needs no core.
            thread::sleep(self.wait);
            // Handling what arrived: a moment of real work.
            handled.push(format!("{} {number}", self.event));
        }
        Report {
            device: self.device,
            handled,
        }
    }
}
// ANCHOR_END: driver

/// What one driver did: the events it handled, in the order it handled them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub device: &'static str,
    pub handled: Vec<String>,
}

/// The three drivers of the chapter, each producing `events` events.
pub fn the_drivers(events: u32) -> Vec<Driver> {
    let driver = |device, event, wait_ms| Driver {
        device,
        event,
        wait: Duration::from_millis(wait_ms),
        events,
    };
    vec![
        driver("network", "packet", 30),
        driver("display", "frame", 20),
        driver("keyboard", "key", 50),
    ]
}

// ANCHOR: one_after_another
/// Runs each driver to completion before starting the next.
pub fn one_after_another(drivers: &[Driver]) -> Vec<Report> {
    drivers.iter().map(Driver::run).collect()
}
// ANCHOR_END: one_after_another

// ANCHOR: concurrently
/// Runs every driver on its own thread; returns the reports in the drivers'
/// order.
pub fn concurrently(drivers: &[Driver]) -> Vec<Report> {
    thread::scope(|scope| {
        let running: Vec<_> = drivers
            .iter()
            .map(|driver| scope.spawn(|| driver.run()))
            .collect();
        running
            .into_iter()
            .map(|thread| thread.join().expect("a driver panicked"))
            .collect()
    })
}
// ANCHOR_END: concurrently

/// The time spent waiting if the drivers run one after another: the sum of all
/// waits.
pub fn sum_of_waits(drivers: &[Driver]) -> Duration {
    drivers.iter().map(total_wait).sum()
}

/// The time spent waiting by the slowest driver alone: the longest of the
/// drivers.
pub fn longest_driver(drivers: &[Driver]) -> Duration {
    drivers.iter().map(total_wait).max().unwrap_or_default()
}

fn total_wait(driver: &Driver) -> Duration {
    driver.wait * driver.events
}
