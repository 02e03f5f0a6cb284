//! Every rayon version gives exactly the answer of its sequential loop, on
//! pools of many sizes, again and again, and never hangs.

use std::time::Duration;

use book_helpers::finishes_within;
use ch19_openmp_to_rayon::histogram as histogram_in_parallel;
use ch19_openmp_to_rayon::{Inputs, ROWS, collatz_steps, serial, triangle_row};
use rayon::ThreadPoolBuilder;

fn check_every_row(size: usize, threads: usize) {
    let inputs = Inputs::new(size);
    let pool = ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a pool starts");
    for row in &ROWS {
        let expected = (row.serial)(&inputs);
        let answer = pool.install(|| (row.parallel)(&inputs));
        assert_eq!(
            answer, expected,
            "{} on {threads} threads, size {size}",
            row.openmp
        );
    }
}

#[test]
fn every_row_matches_its_sequential_loop_on_every_pool_size() {
    finishes_within(Duration::from_secs(120), || {
        for size in [1, 2, 17, 4096, 4097, 30_001] {
            for threads in [1, 2, 3, 4, 7] {
                check_every_row(size, threads);
            }
        }
    });
}

#[test]
fn stress_two_hundred_runs_with_varied_sizes_and_pools() {
    finishes_within(Duration::from_secs(120), || {
        for run in 0..200 {
            check_every_row(1 + run * 97 % 9000, 1 + run % 6);
        }
    });
}

#[test]
fn the_answers_are_the_known_ones() {
    // Known Collatz facts: 27 takes 111 steps; below 10 the longest is 9 (19
    // steps).
    assert_eq!(collatz_steps(27), 111);
    assert_eq!(collatz_steps(1), 0);
    let inputs = Inputs::new(9);
    assert_eq!(serial::summary(&inputs.steps).longest, 19);
    let total: u64 = [0, 1, 7, 2, 5, 8, 16, 3, 19].iter().sum();
    assert_eq!(serial::reduction(&inputs.numbers), total);
    // The table's sections row answers with the three summaries, in order.
    let sections = ROWS.iter().find(|row| row.openmp.starts_with("sections"));
    let sections = sections.expect("a sections row");
    assert_eq!((sections.parallel)(&inputs), [19, total, 0]);
    assert_eq!((sections.serial)(&inputs), [19, total, 0]);
    // The histogram counts every element once.
    let histogram = serial::histogram(&Inputs::new(10_000).steps);
    assert_eq!(histogram.iter().sum::<u64>(), 10_000);
    // Bands of 50 steps, the last one open: each count lands in its band.
    let steps = [0, 49, 50, 99, 100, 349, 350, 1000];
    let bands = [2, 2, 1, 0, 0, 0, 1, 2];
    assert_eq!(serial::histogram(&steps), bands);
    assert_eq!(histogram_in_parallel(&steps), bands);
}

/// Row `i` of the triangle is `i` units of work, each adding a number of
/// 0..16 (the top four bits of a hash): below 16 `i` in all, and about 7.5
/// per unit over many rows.
#[test]
fn a_triangle_row_adds_one_hashed_nibble_per_unit() {
    assert_eq!(triangle_row(0), 0);
    for i in 1..300 {
        assert!(triangle_row(i) < 16 * i as u64, "row {i}");
    }
    let units: usize = (100..300).sum();
    let total: u64 = (100..300).map(triangle_row).sum();
    let per_unit = total as f64 / units as f64;
    assert!((6.5..8.5).contains(&per_unit), "{per_unit} per unit");
}

#[test]
fn a_join_per_element_sums_like_a_loop_and_empty_joins_return() {
    finishes_within(Duration::from_secs(60), || {
        let pool = ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        for len in [0, 1, 2, 3, 1000, 4097] {
            let values: Vec<u64> = (0..len).collect();
            let joined = pool.install(|| {
                ch19_openmp_to_rayon::sum_joining_every_element(&values)
            });
            assert_eq!(joined, values.iter().sum::<u64>(), "{len} elements");
        }
        pool.install(|| ch19_openmp_to_rayon::empty_joins(10_000));
    });
}
