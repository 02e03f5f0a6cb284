//! False sharing and granularity, measured: counters packed into one cache
//! line against padded ones, and tasks of one element against larger ones.

use std::ops::Deref;
use std::sync::atomic::{AtomicU64, Ordering};

use book_helpers::format_speedup;
use book_helpers::measure::{Machine, Summary, interleaved_infallible};
use ch21_false_sharing::{
    Plain, bump_each, packed_counters, padded_counters, sum_in_pieces,
    sum_sequential,
};
use clap::Parser;
use rayon::ThreadPoolBuilder;

/// Rounds per comparison, after one warm-up run of each variant; the
/// variants take turns round by round.
const ROUNDS: usize = 5;

/// Counts with one counter per thread, packed into one cache line and
/// padded apart, and sums a range in tasks of different sizes.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Increments per thread, and elements in the sum (1000 to 100000000).
    #[arg(long, default_value_t = 5_000_000,
          value_parser = clap::value_parser!(u64).range(1000..=100_000_000))]
    size: u64,

    /// Threads (1 to 64); defaults to the number of cores.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=64))]
    threads: Option<u16>,
}

/// A row: the median with its spread, the speedup of the medians over
/// `baseline` (a time for the same work as the row's), the efficiency, and
/// whether the result was exact.
fn row(name: &str, threads: usize, time: &Summary, baseline: f64, ok: bool) {
    let median = time.median();
    let speedup = baseline / median.as_secs_f64();
    let efficiency = 100.0 * speedup / threads as f64;
    let baseline = std::time::Duration::from_secs_f64(baseline);
    println!(
        "{name:<28} {threads:>7} {:>28} {:>8} {efficiency:>9.0}% {ok:>7}",
        time.display(),
        format_speedup(baseline, median)
    );
}

/// Whether every counter holds `times`: no increment was lost.
fn all_equal<C: Deref<Target = AtomicU64>>(counters: &[C], times: u64) -> bool {
    counters.iter().all(|c| c.load(Ordering::Relaxed) == times)
}

fn header(first: &str) {
    let [b, c, d, e, f] = ["threads", "time", "speedup", "efficiency", "exact"];
    println!("{first:<28} {b:>7} {c:>28} {d:>8} {e:>10} {f:>7}");
}

fn main() {
    let args = Args::parse();
    let machine = Machine::now();
    let threads = args.threads.map_or(machine.cores, usize::from);
    let times = args.size;
    // Throughput is compared: N threads doing N times the work of one
    // thread in the same time would be a speedup of N.
    let mut counters: [Box<dyn FnMut() -> bool>; 3] = [
        Box::new(|| {
            let counters = padded_counters(1);
            bump_each(&counters, times);
            all_equal(&counters, times)
        }),
        Box::new(|| {
            let counters = packed_counters(threads);
            let plain: Vec<_> = counters.iter().map(Plain).collect();
            bump_each(&plain, times);
            all_equal(&plain, times)
        }),
        Box::new(|| {
            let counters = padded_counters(threads);
            bump_each(&counters, times);
            all_equal(&counters, times)
        }),
    ];
    let counted = interleaved_infallible(ROUNDS, &mut counters);

    let pool = ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a pool starts");
    let pieces = [1, 64, usize::MAX];
    let mut sums: [Box<dyn FnMut() -> u64>; 4] = [
        Box::new(|| sum_sequential(times)),
        Box::new(|| pool.install(|| sum_in_pieces(times, pieces[0]))),
        Box::new(|| pool.install(|| sum_in_pieces(times, pieces[1]))),
        Box::new(|| pool.install(|| sum_in_pieces(times, pieces[2]))),
    ];
    let summed = interleaved_infallible(ROUNDS, &mut sums);

    println!("{}", machine.header());
    println!("{times} increments per thread, and a sum of {times} terms;");
    println!(
        "{ROUNDS} rounds, the variants in turn; median (fastest – slowest)\n"
    );
    header("counters");
    let alone = counted[0].0.median().as_secs_f64();
    row(
        "one counter, one thread",
        1,
        &counted[0].0,
        alone,
        counted[0].1,
    );
    let baseline = alone * threads as f64;
    for (name, (time, ok)) in
        ["packed in one cache line", "CachePadded, one line each"]
            .iter()
            .zip(&counted[1..])
    {
        row(name, threads, time, baseline, *ok);
    }

    println!();
    header("sum of a range");
    let (sequential, expected) = (&summed[0].0, summed[0].1);
    row(
        "one loop",
        1,
        sequential,
        sequential.median().as_secs_f64(),
        true,
    );
    for (name, (time, sum)) in [
        "tasks of 1 element",
        "tasks of 64 elements",
        "rayon's own splitting",
    ]
    .iter()
    .zip(&summed[1..])
    {
        let base = sequential.median().as_secs_f64();
        row(name, threads, time, base, *sum == expected);
    }
}
