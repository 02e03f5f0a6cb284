//! Every scan gives the sequential sums on every pool and every length, the
//! additions are the counts the chapter states, and nothing hangs.

use std::time::Duration;

use book_helpers::finishes_within;
use ch22_scan_and_sort::{input, scan_blocked, scan_naive, scan_sequential};
use rayon::ThreadPoolBuilder;
use rayon::prelude::*;

fn check(len: usize, threads: usize) {
    let data = input(len);
    let mut expected = data.clone();
    scan_sequential(&mut expected);
    let pool = ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut naive = data.clone();
    let naive_additions = pool.install(|| scan_naive(&mut naive));
    assert_eq!(naive, expected, "naive, len {len}, {threads} threads");
    for parts in [1, 2, threads, 7] {
        let mut blocked = data.clone();
        let additions = pool.install(|| scan_blocked(&mut blocked, parts));
        assert_eq!(blocked, expected, "blocked in {parts}, len {len}");
        // Within each block, one addition per element but the first; one per
        // block total but the first; one per element outside the first block.
        let block = len.div_ceil(parts).max(1);
        let blocks = len.div_ceil(block);
        let phases =
            (len - blocks) + blocks.saturating_sub(1) + (len - block.min(len));
        assert_eq!(additions, phases, "blocked in {parts}, len {len}");
        assert!(
            additions < 2 * len.max(1),
            "{additions} additions for {len}"
        );
    }
    // Hillis–Steele: round k adds for every element at index ≥ 2^k.
    let mut rounds = 0;
    let mut step = 1;
    while step < len {
        rounds += len - step;
        step *= 2;
    }
    assert_eq!(naive_additions, rounds, "len {len}");
    // Sorting in parallel gives the standard library's order.
    let (mut a, mut b) = (data.clone(), data);
    a.sort();
    pool.install(|| b.par_sort());
    assert_eq!(a, b);
}

#[test]
fn every_scan_matches_the_loop_for_every_small_length_and_pool() {
    finishes_within(Duration::from_secs(60), || {
        for len in 0..70 {
            check(len, 1 + len % 4);
        }
        check(100_003, 3);
    });
}

#[test]
fn stress_two_hundred_runs_on_varied_pools() {
    finishes_within(Duration::from_secs(120), || {
        for run in 0..200 {
            check(run * 131 % 5000, 1 + run % 6);
        }
    });
}

#[test]
fn a_known_scan() {
    let mut data = vec![3, 1, 4, 1, 5];
    assert_eq!(scan_naive(&mut data), 4 + 3 + 1);
    assert_eq!(data, [3, 4, 8, 9, 14]);
}

/// The input is what the chapter sorts and scans: numbers spread evenly over
/// 0..1 000 000, few repeated, and the same prefix whatever the length asked.
#[test]
fn the_input_is_spread_evenly_and_the_same_for_every_length() {
    let numbers = input(100_000);
    assert!(numbers.iter().all(|&n| n < 1_000_000));
    let distinct: std::collections::HashSet<_> = numbers.iter().collect();
    assert!(distinct.len() > 90_000, "{} distinct", distinct.len());
    let mean = numbers.iter().sum::<u64>() / numbers.len() as u64;
    assert!((490_000..510_000).contains(&mean), "mean {mean}");
    assert_eq!(input(10), numbers[..10]);
}
