//! The chapter's claims as criterion benchmarks: the sequential scan, the
//! naive parallel scan and the work-efficient one; and the standard sorts
//! against rayon's parallel sorts. Parallel versions run on rayon's global
//! pool (one thread per core, or `RAYON_NUM_THREADS`).
//! `cargo bench -p ch22-scan-and-sort` runs them.

use std::time::Duration;

use ch22_scan_and_sort::{input, scan_blocked, scan_naive, scan_sequential};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rayon::slice::ParallelSliceMut;

/// A million numbers: the naive scan's twenty rounds still take only
/// milliseconds.
const LEN: usize = 1 << 20;

fn scans_and_sorts(c: &mut Criterion) {
    let data = input(LEN);
    let threads = rayon::current_num_threads();
    // Each run works on a fresh copy; the copying is not timed.
    let fresh = || data.clone();
    let large = BatchSize::LargeInput;

    let mut group = c.benchmark_group("prefix sums");
    group.bench_function("sequential", |b| {
        b.iter_batched_ref(fresh, |d| scan_sequential(d), large)
    });
    group.bench_function(format!("naive, {threads} threads"), |b| {
        b.iter_batched_ref(fresh, scan_naive, large)
    });
    group.bench_function(format!("work-efficient, {threads} threads"), |b| {
        b.iter_batched_ref(fresh, |d| scan_blocked(d, threads), large)
    });
    group.finish();

    let mut group = c.benchmark_group("sorting");
    group.bench_function("sort_unstable", |b| {
        b.iter_batched_ref(fresh, |d| d.sort_unstable(), large)
    });
    group
        .bench_function(format!("par_sort_unstable, {threads} threads"), |b| {
            b.iter_batched_ref(fresh, |d| d.par_sort_unstable(), large)
        });
    group.bench_function("sort", |b| {
        b.iter_batched_ref(fresh, |d| d.sort(), large)
    });
    group.bench_function(format!("par_sort, {threads} threads"), |b| {
        b.iter_batched_ref(fresh, |d| d.par_sort(), large)
    });
    group.finish();
}

// The naive scan and the sorts take tens of milliseconds a call.
criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(3));
    targets = scans_and_sorts
}
criterion_main!(benches);
