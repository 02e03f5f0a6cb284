//! False sharing and granularity, measured: counters packed into one cache
//! line against padded ones, and tasks of one element against larger ones.

use std::num::NonZeroUsize;
use std::sync::atomic::Ordering;
use std::thread;
use std::time::Duration;

use book_helpers::{fastest_of, format_duration, format_speedup, load_average};
use ch21_false_sharing::{
    Plain, bump_each, packed_counters, padded_counters, sum_in_pieces,
    sum_sequential,
};
use clap::Parser;
use rayon::ThreadPoolBuilder;

/// Each measurement runs this many times and its fastest run is shown.
const RUNS: usize = 3;

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

fn row(
    name: &str,
    threads: usize,
    time: Duration,
    baseline: Duration,
    ok: bool,
) {
    let (time_text, speedup) =
        (format_duration(time), format_speedup(baseline, time));
    let efficiency =
        100.0 * baseline.as_secs_f64() / time.as_secs_f64() / threads as f64;
    println!(
        "{name:<28} {threads:>7} {time_text:>9} {speedup:>8} \
         {efficiency:>9.0}% {ok:>7}"
    );
}

fn main() {
    let args = Args::parse();
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let threads = args.threads.map_or(cores, usize::from);
    let times = args.size;
    let load =
        load_average().map_or(String::new(), |l| format!(", load {l:.1}"));
    println!("{times} increments per thread ({cores} cores{load})\n");

    // Throughput is compared: N threads doing N times the work of one
    // thread in the same time would be a speedup of N.
    let (_, alone) = fastest_of(RUNS, || bump_each(&padded_counters(1), times));
    let baseline = alone * threads as u32;
    let ([a, b, c, d, e, f], exact) = (
        [
            "counters",
            "threads",
            "time",
            "speedup",
            "efficiency",
            "exact",
        ],
        |v: u64| v == times,
    );
    println!("{a:<28} {b:>7} {c:>9} {d:>8} {e:>10} {f:>7}");
    row("one counter, one thread", 1, alone, alone, true);
    let (packed, time) = fastest_of(RUNS, || {
        let counters = packed_counters(threads);
        bump_each(&counters.iter().map(Plain).collect::<Vec<_>>(), times);
        counters
    });
    let ok = packed.iter().all(|c| exact(c.load(Ordering::Relaxed)));
    row("packed in one cache line", threads, time, baseline, ok);
    let (padded, time) = fastest_of(RUNS, || {
        let counters = padded_counters(threads);
        bump_each(&counters, times);
        counters
    });
    let ok = padded.iter().all(|c| exact(c.load(Ordering::Relaxed)));
    row("CachePadded, one line each", threads, time, baseline, ok);

    let pool = ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a pool starts");
    let (expected, sequential) = fastest_of(RUNS, || sum_sequential(times));
    let sum = "sum of a range";
    println!("\n{sum:<28} {b:>7} {c:>9} {d:>8} {e:>10} {f:>7}");
    row("one loop", 1, sequential, sequential, true);
    for (name, longest) in [
        ("tasks of 1 element", 1),
        ("tasks of 64 elements", 64),
        ("rayon's own splitting", usize::MAX),
    ] {
        let (sum, time) =
            pool.install(|| fastest_of(RUNS, || sum_in_pieces(times, longest)));
        row(name, threads, time, sequential, sum == expected);
    }
}
