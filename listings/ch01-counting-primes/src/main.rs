//! The same CPU-bound count run on one loop and then on 1, 2, 4… threads, each
//! timed.

use book_helpers::format_speedup;
use book_helpers::measure::{Machine, interleaved_infallible};
use ch01_counting_primes::{
    BLOCK, count_primes_on_threads, count_primes_sequentially,
};
use clap::Parser;

/// Every way runs once to warm up and then this many times, the ways taking
/// turns, so that a moment of background noise lands on all of them alike.
const ROUNDS: usize = 5;

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
    let machine = Machine::now();
    let threads: Vec<usize> =
        args.threads.into_iter().map(usize::from).collect();
    // The plain loop first, then the count on each number of threads.
    let mut ways: Vec<Box<dyn FnMut() -> u64>> =
        vec![Box::new(move || count_primes_sequentially(limit))];
    for &n in &threads {
        ways.push(Box::new(move || count_primes_on_threads(limit, n)));
    }
    let measured = interleaved_infallible(ROUNDS, &mut ways);

    println!("{}", machine.header());
    println!("primes below {limit}, by trial division, in blocks of {BLOCK}");
    println!("{ROUNDS} rounds, the ways in turn; median (fastest – slowest)");
    let (baseline, expected) = &measured[0];
    let time = baseline.display();
    println!("one loop, no threads: {expected} primes in {time}");

    println!();
    println!("threads    primes                        time  speedup");
    for (threads, (took, primes)) in threads.iter().zip(&measured[1..]) {
        let time = took.display();
        let speedup = format_speedup(baseline.median(), took.median());
        println!("{threads:>7}  {primes:>8}  {time:>26}  {speedup:>7}");
    }
}
// ANCHOR_END: main
