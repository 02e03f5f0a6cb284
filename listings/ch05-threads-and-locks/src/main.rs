//! One line per tool of the standard library: what it was asked to do and
//! whether the result is the one a single thread would give.

use std::collections::BTreeSet;

use ch05_threads_and_locks::{
    barrier_phases, mutex_counter, produce_consume, rwlock_readers, scoped_sum,
    squares,
};
use clap::Parser;

/// Runs threads, scoped threads, a mutex, a read-write lock, a bounded
/// buffer built from a mutex and condition variables, and a barrier, and
/// checks each result.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Threads for each demonstration (2 to 64).
    #[arg(long, default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(2..=64))]
    threads: u16,

    /// Items each producer sends through the bounded buffer (1 to 1000000).
    #[arg(long, default_value_t = 10_000,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    items: u32,

    /// Capacity of the bounded buffer (1 to 1024).
    #[arg(long, default_value_t = 8,
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    capacity: u16,
}

// ANCHOR: main
fn main() {
    let args = Args::parse();
    let threads = usize::from(args.threads);

    let squared = squares(threads as u64);
    println!("spawn + join     {threads} threads returned {squared:?}");

    let numbers: Vec<u64> = (1..=1_000_000).collect();
    let sum = scoped_sum(&numbers, threads);
    let expected: u64 = numbers.iter().sum();
    println!(
        "scope            sum of 1..=1000000 = {sum} (one loop: {expected})"
    );

    let count = mutex_counter(threads, 100_000);
    println!("Arc<Mutex<u64>>  {threads} × 100000 increments = {count}");

    let seen = rwlock_readers(threads, 100);
    let in_order = seen.iter().all(|v| v.is_sorted() && v.last() == Some(&100));
    println!(
        "RwLock           {threads} readers saw versions in order: {in_order}"
    );

    let per_producer = args.items as usize;
    let (got, most) = produce_consume(
        threads / 2,
        threads - threads / 2,
        per_producer,
        usize::from(args.capacity),
    );
    let sent = threads / 2 * per_producer;
    let distinct = got.iter().collect::<BTreeSet<_>>().len();
    println!(
        "Mutex + Condvar  {sent} items sent, {} received, {distinct} distinct; \
         never more than {} held: {}",
        got.len(),
        args.capacity,
        most <= usize::from(args.capacity)
    );

    let totals = barrier_phases(threads);
    println!("Barrier          every thread saw the total {totals:?}");
}
// ANCHOR_END: main
