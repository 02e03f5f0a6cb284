//! The chapter's claim as a criterion benchmark: the dot product as a plain
//! loop, as eight lanes the compiler vectorises, with `wide::f32x8`, and
//! vectorised on every core. Criterion reports each in elements per second.
//! `cargo bench -p ch23-simd` runs it.

use std::hint::black_box;
use std::time::Duration;

use ch23_simd::{dot_chunked, dot_parallel, dot_scalar, dot_wide, inputs};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Every version has the same signature.
type Dot = fn(&[f32], &[f32]) -> f32;

/// Two vectors of 4 MB each: larger than the L2 cache, as in the listing.
const LEN: usize = 1 << 20;

fn dot(c: &mut Criterion) {
    let (x, y) = inputs(LEN);
    let (x, y) = (x.as_slice(), y.as_slice());
    let threads = rayon::current_num_threads();
    let mut group = c.benchmark_group("dot product");
    group.throughput(Throughput::Elements(LEN as u64));
    let variants: [(String, Dot); 4] = [
        ("plain loop".into(), dot_scalar),
        ("8 lanes, chunked".into(), dot_chunked),
        ("8 lanes, wide::f32x8".into(), dot_wide),
        (format!("8 lanes × {threads} threads"), dot_parallel),
    ];
    for (name, variant) in variants {
        group.bench_function(name, |b| {
            b.iter(|| variant(black_box(x), black_box(y)))
        });
    }
    group.finish();
}

// A call takes well under a millisecond: many samples cost little.
criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(50)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(1));
    targets = dot
}
criterion_main!(benches);
