//! Ten thousand idle waiters as threads and as tasks, and what each costs in
//! memory.

use std::process::ExitCode;

use ch10_idle_threads_vs_tasks::{idle_tasks, idle_threads};
use clap::Parser;

/// Keeps many activities waiting at once, first as operating-system threads,
/// then as tokio tasks on a single thread, and reports the resident memory each
/// kind added.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// How many idle waiters of each kind (1 to 20000).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=20_000))]
    waiters: u32,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let count = args.waiters as usize;
    // Tasks first: the threads' freed stacks would otherwise make the task
    // figure look free.
    let (tasks, threads) = match (idle_tasks(count), idle_threads(count)) {
        (Ok(tasks), Ok(threads)) => (tasks, threads),
        (Err(error), _) | (_, Err(error)) => {
            eprintln!(
                "error: {error} (threads need a raised `ulimit -u` beyond a few thousand)"
            );
            return ExitCode::FAILURE;
        }
    };
    println!("{count} idle waiters, all waiting at the same moment:");
    for (name, (bytes, finished)) in
        [("tokio tasks (1 thread)", tasks), ("OS threads", threads)]
    {
        let per_waiter = bytes as f64 / count as f64;
        println!(
            "  {name:<24} +{:>7.1} MiB resident, {:>7.0} bytes each; {finished} finished",
            bytes as f64 / 1048576.0,
            per_waiter
        );
    }
    ExitCode::SUCCESS
}
