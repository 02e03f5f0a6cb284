//! What must hold whichever way the drivers run, checked on the recorded
//! schedules: the same events handled, each recorded once, and the overlap each
//! way promises.

use std::time::Duration;

use book_helpers::finishes_within;
use ch02_drivers_three_ways::{
    Driver, Report, a_thread_each, interleaved_on_one_thread, longest_driver,
    one_after_another, sum_of_waits, the_drivers,
};
use timeline::{Recorder, Timeline};

/// Drivers with short periods, so a test can run them many times.
fn quick_drivers() -> Vec<Driver> {
    the_drivers()
        .into_iter()
        .map(|driver| Driver {
            period: driver.period / 8,
            ..driver
        })
        .collect()
}

type Way = fn(&[Driver], u32, &Recorder) -> Vec<Report>;

fn run(way: Way, drivers: &[Driver], events: u32) -> (Vec<Report>, Timeline) {
    let recorder = Recorder::new();
    let reports = way(drivers, events, &recorder);
    (reports, recorder.timeline())
}

fn every_event_recorded_once(
    drivers: &[Driver],
    events: u32,
    schedule: &Timeline,
) {
    assert_eq!(schedule.spans().len(), drivers.len() * events as usize);
    for driver in drivers {
        for number in 1..=events {
            let name = format!("{} {number}", driver.event);
            assert_eq!(schedule.count(&name), 1, "{name} in {schedule:?}");
        }
    }
}

#[test]
fn the_three_ways_handle_the_same_events() {
    let drivers = the_drivers();
    let (in_turn, _) = run(one_after_another, &drivers, 2);
    let (interleaved, _) = run(interleaved_on_one_thread, &drivers, 2);
    let (threads, _) = run(a_thread_each, &drivers, 2);
    assert_eq!(in_turn[0].handled, ["packet 1", "packet 2"]);
    assert_eq!(in_turn, interleaved);
    assert_eq!(in_turn, threads);
}

/// The two bounds the program prints beside its timings: every wait laid end
/// to end, and the driver that waits longest.
#[test]
fn the_bounds_are_the_waits_added_and_the_longest_driver() {
    let drivers = the_drivers(); // a packet every 12 ms, a frame every 16, a key every 40
    assert_eq!(sum_of_waits(&drivers, 5), Duration::from_millis(340));
    assert_eq!(longest_driver(&drivers, 5), Duration::from_millis(200));
    assert_eq!(longest_driver(&[], 5), Duration::ZERO);
}

#[test]
fn one_after_another_uses_one_lane_and_never_overlaps() {
    let drivers = quick_drivers();
    let (_, schedule) = run(one_after_another, &drivers, 3);
    every_event_recorded_once(&drivers, 3, &schedule);
    assert_eq!(schedule.lanes().len(), 1);
    assert!(!schedule.overlaps_within_a_lane());
}

#[test]
fn the_event_loop_keeps_every_driver_in_progress_on_one_thread() {
    let drivers = quick_drivers();
    let (_, schedule) = run(interleaved_on_one_thread, &drivers, 3);
    every_event_recorded_once(&drivers, 3, &schedule);
    assert_eq!(schedule.lanes().len(), 1, "one thread");
    // Concurrency without parallelism: activities overlap, all on the same
    // thread.
    assert!(schedule.overlaps_within_a_lane());
}

/// The loop serves the driver that is due first, and no driver before its
/// device is ready: the first event handled is the shortest period's, and
/// every recorded wait lasts at least its driver's period (a sleep never ends
/// early, so this holds however busy the machine is).
#[test]
fn the_event_loop_serves_the_driver_due_first_and_none_early() {
    let drivers = quick_drivers();
    let (_, schedule) = run(interleaved_on_one_thread, &drivers, 3);
    for driver in &drivers {
        for number in 1..=3 {
            let name = format!("{} {number}", driver.event);
            let span = schedule
                .spans()
                .iter()
                .find(|span| span.activity == name)
                .unwrap_or_else(|| panic!("{name} in {schedule:?}"));
            assert!(
                span.duration() >= driver.period,
                "{name} handled {:?} after its wait began, before its period {:?}",
                span.duration(),
                driver.period
            );
        }
    }
    let first = schedule
        .spans()
        .iter()
        .min_by_key(|span| span.end)
        .expect("events were handled");
    let soonest = drivers
        .iter()
        .min_by_key(|driver| driver.period)
        .expect("three drivers");
    assert_eq!(first.activity, format!("{} 1", soonest.event));
}

#[test]
fn a_thread_each_gives_every_driver_a_lane_and_they_overlap() {
    let drivers = quick_drivers();
    let (_, schedule) = run(a_thread_each, &drivers, 3);
    every_event_recorded_once(&drivers, 3, &schedule);
    let labels: Vec<String> =
        schedule.lanes().into_iter().map(|l| l.label).collect();
    let mut sorted = labels.clone();
    sorted.sort();
    assert_eq!(sorted, ["display", "keyboard", "network"]);
    assert!(!schedule.overlaps_within_a_lane());
    // Sleeping threads overlap in time even on a single core.
    assert!(schedule.overlaps_across_lanes());
}

#[test]
fn stress_the_three_ways_fifty_times() {
    finishes_within(Duration::from_secs(60), || {
        let drivers = quick_drivers();
        for _ in 0..50 {
            let (expected, _) = run(one_after_another, &drivers, 1);
            for way in [interleaved_on_one_thread as Way, a_thread_each] {
                let (reports, schedule) = run(way, &drivers, 1);
                assert_eq!(reports, expected);
                every_event_recorded_once(&drivers, 1, &schedule);
            }
        }
    });
}
