//! The prime sieve pipeline, a fan-out/fan-in pool, and the throughput of
//! four channels, each checked against the answer one thread would give.

use std::process::ExitCode;
use std::time::Duration;

use book_helpers::cli;
use book_helpers::format_speedup;
use book_helpers::measure::{Machine, interleaved_infallible};
use ch09_channels::{
    CAPACITY, Flavour, collatz_steps, fan_out_fan_in, pump, sieve,
};
use clap::Parser;

/// Runs a prime sieve with one thread per prime, a fan-out/fan-in worker
/// pool, and a throughput comparison of std and crossbeam channels.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Primes the sieve finds, one pipeline stage each (1 to 2000).
    #[arg(long, default_value_t = 100,
          value_parser = clap::value_parser!(u16).range(1..=2000))]
    primes: u16,

    /// Workers of the fan-out/fan-in pool (1 to 64).
    #[arg(long, default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    workers: u16,

    /// Messages per throughput run (1000 to 100000000).
    #[arg(long, default_value_t = 1_000_000,
          value_parser = clap::value_parser!(u64).range(1_000..=100_000_000))]
    messages: u64,
}

/// Each throughput comparison runs every flavour once to warm up, then this
/// many rounds with the flavours taking turns; the median is printed.
const ROUNDS: usize = 5;

// ANCHOR: main
fn main() -> ExitCode {
    let args = Args::parse();

    let primes = sieve(usize::from(args.primes), 16);
    let tail = &primes[primes.len().saturating_sub(5)..];
    println!(
        "sieve: {} stages found {} primes, the last {tail:?}; all prime: {}",
        primes.len(),
        primes.len(),
        primes.iter().all(|&p| is_prime(p))
    );

    let jobs: Vec<u64> = (1..=10_000).collect();
    let workers = usize::from(args.workers);
    match fan_out_fan_in(&jobs, workers, Duration::from_secs(10)) {
        Ok(mut results) => {
            results.sort_unstable();
            let expected: Vec<(u64, u64)> =
                jobs.iter().map(|&j| (j, collatz_steps(j))).collect();
            println!(
                "fan-out/fan-in: {workers} workers, {} jobs, each answered \
                 once and right: {}",
                jobs.len(),
                results == expected
            );
        }
        Err(stalled) => {
            let received = stalled.received;
            return cli::exit_code(Err(format!(
                "fan-in stalled after {received} results"
            )));
        }
    }

    println!();
    let machine = Machine::now();
    let expected = args.messages * (args.messages - 1) / 2;
    let measured = [1, 4].map(|producers| {
        let mut flavours = Flavour::ALL
            .map(|flavour| move || pump(flavour, producers, args.messages));
        (producers, interleaved_infallible(ROUNDS, &mut flavours))
    });
    println!("{}", machine.header());
    println!(
        "throughput, {} messages, bounded capacity {CAPACITY};",
        args.messages
    );
    println!(
        "{ROUNDS} rounds, the flavours in turn; median (fastest – slowest)"
    );
    println!(
        "{:<24} {:>9} {:>28} {:>8}",
        "channel", "producers", "time", "vs std"
    );
    for (producers, times) in &measured {
        let baseline = times[0].0.median(); // std mpsc::channel
        for (flavour, (took, sum)) in Flavour::ALL.into_iter().zip(times) {
            assert_eq!(*sum, expected, "{} lost or duplicated", flavour.name());
            println!(
                "{:<24} {producers:>9} {:>28} {:>8}",
                flavour.name(),
                took.display(),
                format_speedup(baseline, took.median())
            );
        }
    }
    ExitCode::SUCCESS
}
// ANCHOR_END: main

fn is_prime(n: u64) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}
