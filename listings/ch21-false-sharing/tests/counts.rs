//! Every thread's increments all land, whatever the layout; the layouts are
//! what the chapter says they are; every task size gives the same sum.

use std::sync::atomic::Ordering;
use std::time::Duration;

use book_helpers::finishes_within;
use ch21_false_sharing::{
    Plain, bump_each, packed_counters, padded_counters, sum_in_pieces,
    sum_sequential,
};
use rayon::ThreadPoolBuilder;

fn check_counts(threads: usize, times: u64) {
    let packed = packed_counters(threads);
    bump_each(&packed.iter().map(Plain).collect::<Vec<_>>(), times);
    assert!(packed.iter().all(|c| c.load(Ordering::Relaxed) == times));
    let padded = padded_counters(threads);
    bump_each(&padded, times);
    assert!(padded.iter().all(|c| c.load(Ordering::Relaxed) == times));
}

#[test]
fn no_increment_is_lost_with_either_layout() {
    finishes_within(Duration::from_secs(60), || {
        for threads in 1..=8 {
            check_counts(threads, 10_000);
        }
    });
}

#[test]
fn stress_two_hundred_runs_with_varied_threads() {
    finishes_within(Duration::from_secs(120), || {
        for run in 0..200 {
            check_counts(1 + run % 6, 100 + run as u64 * 7);
        }
    });
}

#[test]
fn packed_counters_share_a_line_and_padded_ones_do_not() {
    let packed = packed_counters(4);
    let padded = padded_counters(4);
    let address = |p: *const u8| p as usize;
    let packed_gap = address(&packed[1] as *const _ as *const u8)
        - address(&packed[0] as *const _ as *const u8);
    let padded_gap = address(&*padded[1] as *const _ as *const u8)
        - address(&*padded[0] as *const _ as *const u8);
    assert_eq!(packed_gap, 8, "eight bytes apart: the same 64-byte line");
    assert!(
        padded_gap >= 64,
        "at least a cache line apart: {padded_gap}"
    );
    assert_eq!(
        address(&*padded[0] as *const _ as *const u8) % 64,
        0,
        "line-aligned"
    );
}

#[test]
fn every_task_size_gives_the_sequential_sum() {
    finishes_within(Duration::from_secs(60), || {
        for threads in [1, 2, 3] {
            let pool = ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            // The squares modulo 7 repeat 0, 1, 4, 2, 2, 4, 1: 14 in every
            // seven terms.
            assert_eq!(pool.install(|| sum_in_pieces(70, 8)), 140);
            for n in [0, 1, 7, 1000, 65_537] {
                for longest in [1, 64, usize::MAX] {
                    let sum = pool.install(|| sum_in_pieces(n, longest));
                    assert_eq!(
                        sum,
                        sum_sequential(n),
                        "n {n}, pieces ≤ {longest}"
                    );
                }
            }
        }
    });
}
