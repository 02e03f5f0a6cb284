//! The chapter's claims as criterion benchmarks: one counter per thread,
//! packed into one cache line against padded apart; and a sum cut into tasks
//! of 1 element, of 64, and as rayon likes, against the plain loop.
//! `cargo bench -p ch21-false-sharing` runs them.

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::thread;
use std::time::Duration;

use ch21_false_sharing::{
    Plain, bump_each, packed_counters, padded_counters, sum_in_pieces,
    sum_sequential,
};
use criterion::{Criterion, criterion_group, criterion_main};

/// Increments per thread: a few milliseconds.
const TIMES: u64 = 1_000_000;
/// Elements in the sum: one task per element is then tens of milliseconds.
const ELEMENTS: u64 = 200_000;

fn false_sharing(c: &mut Criterion) {
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let threads = cores.max(2);
    let mut group = c.benchmark_group(format!("{threads} threads counting"));
    let packed = packed_counters(threads);
    let plain: Vec<Plain> = packed.iter().map(Plain).collect();
    group.bench_function("packed in one cache line", |b| {
        b.iter(|| bump_each(&plain, TIMES))
    });
    let padded = padded_counters(threads);
    group.bench_function("CachePadded", |b| {
        b.iter(|| bump_each(&padded, TIMES))
    });
    group.finish();
}

fn granularity(c: &mut Criterion) {
    let mut group = c.benchmark_group("sum of a range");
    group.bench_function("one loop", |b| {
        b.iter(|| sum_sequential(black_box(ELEMENTS)))
    });
    for (name, longest) in [
        ("tasks of 1 element", 1),
        ("tasks of 64 elements", 64),
        ("rayon's own splitting", usize::MAX),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| sum_in_pieces(black_box(ELEMENTS), longest))
        });
    }
    group.finish();
}

// The slowest call (tasks of one element) takes tens of milliseconds.
criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    targets = false_sharing, granularity
}
criterion_main!(benches);
