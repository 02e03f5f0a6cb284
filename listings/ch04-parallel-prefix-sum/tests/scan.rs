//! The blocked scan gives exactly the sequential scan's sums, does the
//! additions it claims, and runs its pieces where it says it does.

use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use ch04_parallel_prefix_sum::{
    Execution, MODULUS, blocked_scan, input, sequential_scan,
};
use timeline::{Recorder, Timeline};

fn blocked(
    data: &[u64],
    parts: usize,
    how: Execution,
) -> (Vec<u64>, usize, Timeline) {
    let mut result = data.to_vec();
    let recorder = Recorder::new();
    let additions = blocked_scan(&mut result, parts, how, &recorder);
    (result, additions, recorder.timeline())
}

#[test]
fn blocked_and_sequential_scans_agree_for_any_size_and_parts() {
    for len in [0, 1, 2, 3, 10, 101, 1000] {
        let data = input(len);
        let mut expected = data.clone();
        assert_eq!(sequential_scan(&mut expected), len.saturating_sub(1));
        for parts in [1, 2, 3, 4, 7, 16, 2000] {
            for how in [Execution::OneThread, Execution::Threads] {
                let (result, _, _) = blocked(&data, parts, how);
                assert_eq!(result, expected, "{len} elements, {parts} parts");
            }
        }
    }
}

#[test]
fn sums_wrap_at_the_modulus() {
    let mut data = vec![MODULUS - 1, 1, 5];
    sequential_scan(&mut data);
    assert_eq!(data, [MODULUS - 1, 0, 5]);
}

#[test]
fn the_blocked_scan_does_about_twice_the_additions() {
    let n = 1_000_000;
    let data = input(n);
    for parts in [2, 4, 16] {
        let (_, additions, _) = blocked(&data, parts, Execution::OneThread);
        // phase 1: n - parts, phase 2: parts, phase 3: n - n/parts
        assert_eq!(additions, 2 * n - n / parts, "{parts} parts");
    }
}

#[test]
fn on_one_thread_the_phases_follow_each_other() {
    let (_, _, schedule) = blocked(&input(40_000), 4, Execution::OneThread);
    assert_eq!(schedule.lanes().len(), 1);
    assert!(!schedule.overlaps_within_a_lane());
    for name in ["scan 1", "scan 4", "offsets", "add 1", "add 4"] {
        assert_eq!(schedule.count(name), 1, "{name}");
    }
    // phase 2 starts after every part of phase 1 has ended
    let offsets = &schedule.spans()[schedule
        .spans()
        .iter()
        .position(|s| s.activity == "offsets")
        .expect("recorded")];
    for span in schedule.spans() {
        if span.activity.starts_with("scan") {
            assert!(span.end <= offsets.start);
        }
        if span.activity.starts_with("add") {
            assert!(span.start >= offsets.end);
        }
    }
}

#[test]
fn on_threads_each_worker_has_a_lane_and_workers_overlap() {
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    let data = input(2_000_000);
    let mut overlapped = false;
    // A busy machine may run one worker to the end before the other starts.
    for _ in 0..20 {
        let (_, _, schedule) = blocked(&data, 2, Execution::Threads);
        let labels: Vec<String> = schedule
            .lanes()
            .into_iter()
            .map(|lane| lane.label)
            .collect();
        assert_eq!(labels.len(), 3, "{labels:?}"); // two workers and main
        assert!(!schedule.overlaps_within_a_lane());
        overlapped |= schedule.overlaps_across_lanes();
        if overlapped {
            break;
        }
    }
    if cores > 1 {
        assert!(overlapped, "the workers never ran at the same time");
    } else {
        println!("one core: overlap of the workers not checked");
    }
}

#[test]
fn stress_the_threaded_scan_fifty_times() {
    finishes_within(Duration::from_secs(60), || {
        let data = input(10_007);
        let mut expected = data.clone();
        sequential_scan(&mut expected);
        for round in 0..50 {
            let parts = 1 + round % 8;
            let (result, _, _) = blocked(&data, parts, Execution::Threads);
            assert_eq!(result, expected, "{parts} parts");
        }
    });
}
