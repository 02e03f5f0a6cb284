//! Amdahl's claim as a criterion benchmark: the same job with a serial
//! fraction of 0, 0.1 and 0.5, on one thread and on every core. The ratio of
//! the two times in each group is the measured speedup, to set against
//! `amdahl(s, threads)`. `cargo bench -p ch20-amdahl-gustafson` runs it.

use std::num::NonZeroUsize;
use std::thread;
use std::time::Duration;

use ch20_amdahl_gustafson::Job;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rayon::ThreadPoolBuilder;

/// About 4 ms of work on one thread: a unit is about 20 µs.
const UNITS: usize = 200;

fn serial_fraction(c: &mut Criterion) {
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    // At least two threads, so even one core shows what a second costs.
    let many = cores.max(2);
    let pool = |n| ThreadPoolBuilder::new().num_threads(n).build();
    let pools = [(1, pool(1)), (many, pool(many))]
        .map(|(n, pool)| (n, pool.expect("the system starts the pool")));
    for s in [0.0, 0.1, 0.5] {
        let job = Job::strong(UNITS, s);
        let mut group = c.benchmark_group(format!("serial fraction {s}"));
        for (threads, pool) in &pools {
            let id = BenchmarkId::new("threads", threads);
            group.bench_with_input(id, &job, |b, job| b.iter(|| job.run(pool)));
        }
        group.finish();
    }
}

// Jobs of a few milliseconds: twenty samples fit in a second.
criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    targets = serial_fraction
}
criterion_main!(benches);
