//! Every kernel computes on N threads exactly what it computes on one, the
//! byte and operation counts are the ones the roofline needs, and nothing
//! hangs.

use std::time::Duration;

use book_helpers::finishes_within;
use ch21_roofline::{
    Arrays, Q, Stream, coefficients, horner, polynomial, polynomial_cost, roof,
};
use rayon::ThreadPoolBuilder;

/// The four STREAM kernels as plain loops, applied in the same order.
fn stream_serially(arrays: &mut Arrays) {
    let Arrays { a, b, c } = arrays;
    c.copy_from_slice(a);
    for (b, c) in b.iter_mut().zip(c.iter()) {
        *b = Q * c;
    }
    for ((c, a), b) in c.iter_mut().zip(a.iter()).zip(b.iter()) {
        *c = a + b;
    }
    for ((a, b), c) in a.iter_mut().zip(b.iter()).zip(c.iter()) {
        *a = b + Q * c;
    }
}

fn check_stream(len: usize, threads: usize) {
    let pool = ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut parallel = Arrays::new(len);
    pool.install(|| Stream::ALL.iter().for_each(|k| k.run(&mut parallel)));
    let mut serial = Arrays::new(len);
    stream_serially(&mut serial);
    assert_eq!(parallel.a, serial.a, "{len} on {threads}");
    assert_eq!(parallel.b, serial.b);
    assert_eq!(parallel.c, serial.c);
}

#[test]
fn stream_kernels_match_plain_loops_on_every_pool() {
    finishes_within(Duration::from_secs(60), || {
        for len in [0, 1, 7, 1000, 65_537] {
            for threads in [1, 2, 3, 5] {
                check_stream(len, threads);
            }
        }
    });
}

#[test]
fn polynomials_match_horner_element_by_element() {
    finishes_within(Duration::from_secs(60), || {
        let x: Vec<f64> = (0..10_001).map(|i| f64::from(i) * 1e-4).collect();
        for degree in [0, 1, 7, 63] {
            let c = coefficients(degree);
            for threads in [1, 2, 4] {
                let pool = ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let mut out = vec![0.0; x.len()];
                pool.install(|| polynomial(&c, &x, &mut out));
                let expected: Vec<f64> =
                    x.iter().map(|&x| horner(&c, x)).collect();
                assert_eq!(out, expected, "degree {degree}, {threads} threads");
            }
        }
    });
}

#[test]
fn stress_two_hundred_runs_on_varied_pools() {
    finishes_within(Duration::from_secs(120), || {
        for run in 0..200 {
            check_stream(1 + run * 37 % 3000, 1 + run % 4);
        }
    });
}

#[test]
fn the_counts_and_the_roof_are_right() {
    // p(x) = 1 + x/2 + x²/3: at x = 1 it is 11/6.
    assert!((horner(&coefficients(2), 1.0) - 11.0 / 6.0).abs() < 1e-12);
    assert_eq!(polynomial_cost(63), (128.0, 16.0));
    assert_eq!(Stream::Triad.bytes_per_element(), 24.0);
    assert_eq!(Stream::Triad.flops_per_element(), 2.0);
    assert_eq!(Stream::Copy.flops_per_element(), 0.0);
    // Below the ridge point bandwidth limits, above it the peak does.
    assert_eq!(roof(10.0, 5.0, 0.5), 2.5);
    assert_eq!(roof(10.0, 5.0, 8.0), 10.0);
}
