//! The chapter's speed claims as criterion benchmarks: the parallel loop and
//! the reduction against their sequential loops, and the static schedule
//! against work stealing on the uneven triangle. `cargo bench -p
//! ch19-openmp-to-rayon` runs them on rayon's global pool (one thread per
//! core, or `RAYON_NUM_THREADS`).

use std::hint::black_box;
use std::time::Duration;

use ch19_openmp_to_rayon::{
    Inputs, parallel_for, reduction, schedule_dynamic, schedule_static, serial,
};
use criterion::{Criterion, criterion_group, criterion_main};

/// Small enough that one run takes milliseconds, so the whole file measures
/// in well under a minute; large enough that splitting costs little.
const SIZE: usize = 100_000;

fn rows(c: &mut Criterion) {
    let inputs = Inputs::new(SIZE);
    let parallel = format!("rayon, {} threads", rayon::current_num_threads());
    let mut out = vec![0; SIZE];

    let mut group = c.benchmark_group("parallel for");
    group.bench_function("sequential", |b| {
        b.iter(|| serial::parallel_for(black_box(&inputs.numbers), &mut out))
    });
    group.bench_function(&parallel, |b| {
        b.iter(|| parallel_for(black_box(&inputs.numbers), &mut out))
    });
    group.finish();

    // ANCHOR: bench
    let mut group = c.benchmark_group("reduction");
    group.bench_function("sequential", |b| {
        b.iter(|| serial::reduction(black_box(&inputs.numbers)))
    });
    group.bench_function(&parallel, |b| {
        b.iter(|| reduction(black_box(&inputs.numbers)))
    });
    group.finish();
    // ANCHOR_END: bench

    // The triangle's rows cost more and more: one block per thread leaves
    // the last thread most of the work, stealing shares it out.
    let mut group = c.benchmark_group("uneven triangle");
    group.bench_function("sequential", |b| {
        b.iter(|| serial::triangle(black_box(inputs.rows)))
    });
    group.bench_function("schedule(static)", |b| {
        b.iter(|| schedule_static(black_box(inputs.rows)))
    });
    group.bench_function("work stealing", |b| {
        b.iter(|| schedule_dynamic(black_box(inputs.rows)))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = rows
}
criterion_main!(benches);
