//! The chapter's two claims as criterion benchmarks, each on one thread and
//! on every core: the triad, whose speed memory sets (criterion reports its
//! bandwidth), and a polynomial of degree 63, whose speed the arithmetic sets
//! (criterion reports elements per second; each costs 128 operations).
//! `cargo bench -p ch21-roofline` runs them.

use std::num::NonZeroUsize;
use std::thread;
use std::time::Duration;

use book_helpers::measure::last_level_cache_bytes;
use ch21_roofline::hardware::stream_len;
use ch21_roofline::{
    Arrays, Stream, coefficients, polynomial, polynomial_cost,
};
use criterion::{
    BenchmarkId, Criterion, Throughput, criterion_group, criterion_main,
};
use rayon::ThreadPoolBuilder;

/// The polynomial's input fits in cache; its time is arithmetic.
const POLY_LEN: usize = 1 << 18;
const DEGREE: usize = 63;

fn roofline(c: &mut Criterion) {
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    // At least two threads, so even one core shows what a second costs.
    let many = cores.max(2);
    let pool = |n| ThreadPoolBuilder::new().num_threads(n).build();
    let pools = [(1, pool(1)), (many, pool(many))]
        .map(|(n, pool)| (n, pool.expect("the system starts the pool")));

    // STREAM's rule: each array four times the last-level cache, so the
    // triad's three arrays never sit in it. Criterion is given the bytes
    // the memory moves, write-allocate included (32 per element, not 24).
    let len = stream_len(last_level_cache_bytes());
    let mut arrays = Arrays::new(len);
    let triad = Stream::Triad;
    let bytes = triad.traffic_per_element() as u64 * len as u64;
    let mut group = c.benchmark_group("triad (memory-bound)");
    group.throughput(Throughput::Bytes(bytes));
    for (threads, pool) in &pools {
        group.bench_function(BenchmarkId::new("threads", threads), |b| {
            b.iter(|| pool.install(|| triad.run(&mut arrays)))
        });
    }
    group.finish();

    let (flops, _) = polynomial_cost(DEGREE);
    let (coefficients, x) = (coefficients(DEGREE), vec![0.5; POLY_LEN]);
    let mut out = vec![0.0; POLY_LEN];
    let mut group = c.benchmark_group(format!(
        "polynomial of degree {DEGREE}, {flops} flop each (compute-bound)"
    ));
    group.throughput(Throughput::Elements(POLY_LEN as u64));
    for (threads, pool) in &pools {
        group.bench_function(BenchmarkId::new("threads", threads), |b| {
            b.iter(|| pool.install(|| polynomial(&coefficients, &x, &mut out)))
        });
    }
    group.finish();
}

// Each triad moves 12 times the last-level cache; half a second of warm-up
// touches every page first.
criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = roofline
}
criterion_main!(benches);
