//! The sort gives the same, correct result whatever pool it runs in, runs
//! every task once, and runs tasks at the same time only when it may.

use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use ch04_same_result_any_threads::{TASKS, merge_sort, shuffled};
use rayon::ThreadPoolBuilder;
use timeline::{Recorder, Timeline};

fn sort_in_pool(numbers: &[u32], threads: usize) -> (Vec<u32>, Timeline) {
    let pool = ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("pool thread {}", i + 1))
        .build()
        .expect("a pool starts");
    let mut sorted = numbers.to_vec();
    let mut scratch = vec![0; sorted.len()];
    let recorder = Recorder::new();
    pool.install(|| merge_sort(&mut sorted, &mut scratch, true, &recorder));
    (sorted, recorder.timeline())
}

fn every_task_once(schedule: &Timeline) {
    assert_eq!(schedule.spans().len(), TASKS);
    for piece in 0..16 {
        assert_eq!(schedule.count(&format!("sort {piece}")), 1);
    }
    assert_eq!(schedule.count("merge 0-15"), 1);
    assert_eq!(schedule.count("merge 8-15"), 1);
}

#[test]
fn the_result_is_the_same_in_every_pool_and_sorted() {
    for len in [16, 17, 1000, 4099] {
        let numbers = shuffled(len);
        let mut expected = numbers.clone();
        expected.sort();
        for threads in [1, 2, 3, 8] {
            let (sorted, schedule) = sort_in_pool(&numbers, threads);
            assert_eq!(sorted, expected, "{len} numbers, {threads} threads");
            every_task_once(&schedule);
        }
        let mut plain = numbers.clone();
        let mut scratch = vec![0; len];
        merge_sort(&mut plain, &mut scratch, false, &Recorder::new());
        assert_eq!(plain, expected, "without rayon::join");
    }
}

#[test]
fn a_pool_of_one_runs_one_task_at_a_time() {
    let (_, schedule) = sort_in_pool(&shuffled(100_000), 1);
    let lanes = schedule.lanes();
    assert_eq!(lanes.len(), 1);
    assert_eq!(lanes[0].label, "pool thread 1");
    assert!(!schedule.overlaps_within_a_lane());
}

#[test]
fn a_pool_of_two_runs_tasks_at_the_same_time() {
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    let numbers = shuffled(200_000);
    let mut overlapped = false;
    // A busy machine may leave one pool thread without a core for a while.
    for _ in 0..20 {
        let (_, schedule) = sort_in_pool(&numbers, 2);
        every_task_once(&schedule);
        assert!(schedule.lanes().len() <= 2);
        assert!(!schedule.overlaps_within_a_lane());
        overlapped |= schedule.overlaps_across_lanes();
        if overlapped {
            break;
        }
    }
    if cores > 1 {
        assert!(overlapped, "the two pool threads never overlapped");
    } else {
        println!("one core: overlap of the pool threads not checked");
    }
}

#[test]
fn stress_pools_of_every_size_fifty_times() {
    finishes_within(Duration::from_secs(60), || {
        let numbers = shuffled(5_000);
        let mut expected = numbers.clone();
        expected.sort();
        for round in 0..50 {
            let (sorted, _) = sort_in_pool(&numbers, 1 + round % 4);
            assert_eq!(sorted, expected);
        }
    });
}
