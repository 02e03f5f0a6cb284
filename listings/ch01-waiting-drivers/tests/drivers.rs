//! The two schedules run the same drivers and must report the same work.

use std::time::Duration;

use book_helpers::finishes_within;
use ch01_waiting_drivers::{
    Driver, concurrently, longest_driver, one_after_another, sum_of_waits,
    the_drivers,
};

/// The chapter's three drivers, with waits short enough to run many times.
fn quick_drivers(events: u32) -> Vec<Driver> {
    the_drivers(events)
        .into_iter()
        .map(|driver| Driver {
            wait: driver.wait / 50,
            ..driver
        })
        .collect()
}

#[test]
fn every_driver_handles_each_of_its_events_once_in_order() {
    let reports = one_after_another(&quick_drivers(3));
    let devices: Vec<_> = reports.iter().map(|report| report.device).collect();
    assert_eq!(devices, ["network", "display", "keyboard"]);
    assert_eq!(reports[0].handled, ["packet 1", "packet 2", "packet 3"]);
    assert_eq!(reports[1].handled, ["frame 1", "frame 2", "frame 3"]);
    assert_eq!(reports[2].handled, ["key 1", "key 2", "key 3"]);
}

#[test]
fn running_concurrently_gives_the_same_reports_as_one_after_another() {
    let drivers = quick_drivers(4);
    let expected = one_after_another(&drivers);
    let concurrent = finishes_within(Duration::from_secs(30), move || {
        concurrently(&drivers)
    });
    assert_eq!(concurrent, expected);
}

#[test]
fn stress_concurrent_runs_always_report_each_driver_once() {
    let drivers = quick_drivers(2);
    let expected = one_after_another(&drivers);
    let runs = finishes_within(Duration::from_secs(60), move || {
        (0..50).map(|_| concurrently(&drivers)).collect::<Vec<_>>()
    });
    assert_eq!(runs.len(), 50);
    for reports in runs {
        assert_eq!(reports, expected);
    }
}

#[test]
fn many_drivers_with_no_wait_are_all_reported() {
    let drivers: Vec<_> = (0..32)
        .map(|_| Driver {
            device: "sensor",
            event: "reading",
            wait: Duration::ZERO,
            events: 10,
        })
        .collect();
    let expected = one_after_another(&drivers);
    let reports = finishes_within(Duration::from_secs(30), move || {
        concurrently(&drivers)
    });
    assert_eq!(reports.len(), 32);
    assert_eq!(reports, expected);
}

#[test]
fn the_sum_and_the_longest_wait_are_what_the_chapter_says() {
    let drivers = the_drivers(4);
    // 4 × (30 + 20 + 50) ms one after another; 4 × 50 ms for the keyboard
    // alone.
    assert_eq!(sum_of_waits(&drivers), Duration::from_millis(400));
    assert_eq!(longest_driver(&drivers), Duration::from_millis(200));
    assert_eq!(longest_driver(&[]), Duration::ZERO);
}
