//! Every version gives exactly the plain loop's answer, for every length
//! (full chunks and every possible tail), on pools of many sizes.

use std::time::Duration;

use book_helpers::finishes_within;
use ch23_simd::{dot_chunked, dot_parallel, dot_scalar, dot_wide, inputs};
use rayon::ThreadPoolBuilder;

fn check(len: usize, threads: usize) {
    let (x, y) = inputs(len);
    let expected = dot_scalar(&x, &y);
    // The exact value, computed in integers: x = (i % 4) / 2, y = i % 3.
    let twice: u64 = (0..len as u64).map(|i| (i % 4) * (i % 3)).sum();
    assert_eq!(f64::from(expected), twice as f64 / 2.0, "len {len}");
    assert_eq!(dot_chunked(&x, &y), expected, "chunked, len {len}");
    assert_eq!(ch23_simd::dot_lanes::<4>(&x, &y), expected, "4, len {len}");
    assert_eq!(
        ch23_simd::dot_lanes::<16>(&x, &y),
        expected,
        "16, len {len}"
    );
    assert_eq!(dot_wide(&x, &y), expected, "wide, len {len}");
    let pool = ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let parallel = pool.install(|| dot_parallel(&x, &y));
    assert_eq!(parallel, expected, "parallel, len {len}, {threads} threads");
}

#[test]
fn every_length_and_tail_gives_the_exact_answer() {
    finishes_within(Duration::from_secs(60), || {
        for len in (0..=40).chain([1000, 65_536, 65_537, 300_003]) {
            check(len, 1 + len % 4);
        }
    });
}

#[test]
fn the_largest_allowed_size_is_still_exact() {
    finishes_within(Duration::from_secs(60), || {
        check(ch23_simd::MAX_EXACT_LEN, 3)
    });
}

#[test]
fn stress_two_hundred_runs_on_varied_pools() {
    finishes_within(Duration::from_secs(120), || {
        for run in 0..200 {
            check(run * 997 % 200_000, 1 + run % 5);
        }
    });
}
