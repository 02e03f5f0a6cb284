//! The same CPU-bound count run on one loop and then on 1, 2, 4… threads, each
//! timed.

use book_helpers::{fastest_of, format_duration, format_speedup};
use ch01_counting_primes::{
    BLOCK, count_primes_on_threads, count_primes_sequentially,
};
use clap::Parser;

/// Each time printed is the fastest of this many runs, so a moment of noise on
/// a shared machine does not decide the comparison.
const RUNS: usize = 3;

/// Counts the primes below a limit by trial division, first in one plain loop
/// and then split across each given number of threads, and prints how long each
/// way took.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Count the primes below this number (2 to 100000000).
    #[arg(long, default_value_t = 3_000_000,
          value_parser = clap::value_parser!(u64).range(2..=100_000_000))]
    limit: u64,

    /// The thread counts to try, each 1 to 256 (e.g. `--threads 1 2 4`).
    #[arg(long, num_args = 1.., default_values_t = [1, 2, 4],
          value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Vec<u16>,
}

// ANCHOR: main
fn main() {
    let args = Args::parse();
    let limit = args.limit;
    println!("primes below {limit}, by trial division, in blocks of {BLOCK}");
    println!("(each time is the fastest of {RUNS} runs)");
    let plain_loop = || count_primes_sequentially(limit);
    let (expected, baseline) = fastest_of(RUNS, plain_loop);
    let time = format_duration(baseline);
    println!("one loop, no threads: {expected} primes in {time}");

    println!();
    println!("threads    primes      time  speedup");
    for threads in args.threads.into_iter().map(usize::from) {
        let count = || count_primes_on_threads(limit, threads);
        let (primes, took) = fastest_of(RUNS, count);
        let time = format_duration(took);
        let speedup = format_speedup(baseline, took);
        println!("{threads:>7}  {primes:>8}  {time:>8}  {speedup:>7}");
    }
}
// ANCHOR_END: main
