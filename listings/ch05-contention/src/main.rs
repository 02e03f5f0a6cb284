//! One counter, four ways to share it, 1 to 8 threads; then a writer among
//! readers that never let go of an RwLock.

use std::time::Duration;

use book_helpers::measure::{Machine, Summary, interleaved_infallible};
use book_helpers::{format_duration, format_speedup};
use ch05_contention::{Counter, Lock, count, writer_waits};
use clap::Parser;

/// Times one shared counter incremented from 1, 2, 4, 8 threads (and as
/// many as there are cores) behind std's Mutex, parking_lot's Mutex, an
/// AtomicU64 and per-thread padded shards; then measures how long a writer
/// waits for an RwLock while readers keep arriving.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Increments per run, shared among the threads (1000 to 100000000).
    #[arg(long, default_value_t = 10_000_000,
          value_parser = clap::value_parser!(u64).range(1_000..=100_000_000))]
    increments: u64,

    /// Reader threads that keep the RwLock busy (1 to 16).
    #[arg(long, default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=16))]
    readers: u16,
}

/// Every variant runs once to warm up, then this many rounds in turn.
const ROUNDS: usize = 5;
/// How long a reader holds the read lock each time.
const HOLD: Duration = Duration::from_millis(1);
/// Writes the writer attempts among the readers.
const WRITES: usize = 20;
/// When the readers give up, got the writer in or not.
const DEADLINE: Duration = Duration::from_secs(1);

// ANCHOR: main
fn main() {
    let args = Args::parse();
    let total = args.increments;
    let machine = Machine::now();
    let mut thread_counts = vec![1, 2, 4, 8, machine.cores];
    thread_counts.sort_unstable();
    thread_counts.dedup();

    let measured: Vec<_> = thread_counts
        .iter()
        .map(|&threads| {
            let mut variants = Counter::ALL
                .map(|counter| move || count(counter, threads, total));
            (threads, interleaved_infallible(ROUNDS, &mut variants))
        })
        .collect();
    println!("{}", machine.header());
    println!(
        "{total} increments of one counter, shared among the threads; \
         {ROUNDS} rounds, the variants in turn; median (fastest – slowest)"
    );
    println!(
        "{:<23} {:>7} {:>28} {:>13} {:>8}",
        "counter", "threads", "time", "per increment", "vs std"
    );
    for (threads, results) in &measured {
        let baseline = results[0].0.median(); // std Mutex
        for (counter, (took, sum)) in Counter::ALL.into_iter().zip(results) {
            assert_eq!(*sum, total, "{} lost increments", counter.name());
            let per = took.median().as_secs_f64() * 1e9 / total as f64;
            println!(
                "{:<23} {threads:>7} {:>28} {:>13} {:>8}",
                counter.name(),
                took.display(),
                format!("{per:.1} ns"),
                format_speedup(baseline, took.median())
            );
        }
    }

    println!(
        "\n{} readers take an RwLock over and over, each holding it {}; \
         a writer asks for it {WRITES} times, the readers stop after {}",
        args.readers,
        format_duration(HOLD),
        format_duration(DEADLINE)
    );
    for lock in Lock::ALL {
        let seen = writer_waits(
            lock,
            usize::from(args.readers),
            HOLD,
            WRITES,
            DEADLINE,
        );
        let got_in = seen.waits.len();
        let wait = if got_in == 0 {
            "none got in".to_string()
        } else {
            Summary::of(seen.waits).display()
        };
        println!(
            "{:<20} {got_in:>2} of {} writes in {}; wait {wait}",
            lock.name(),
            seen.attempts,
            format_duration(DEADLINE),
        );
    }
}
// ANCHOR_END: main
