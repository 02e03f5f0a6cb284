//! The same async program on a current-thread and a multi-thread tokio runtime.

use std::process::ExitCode;

use book_helpers::measure::{Machine, interleaved_infallible};
use book_helpers::{format_duration, format_speedup};
use ch11_one_program_two_runtimes::{
    Flavor, NUMBERS_PER_JOB, WAIT, Work, expected_total, run_jobs, runtime,
};
use clap::Parser;

/// Rounds per runtime, after a warm-up round.
const ROUNDS: usize = 5;

/// Runs one async program (many independent jobs) on tokio's current-thread
/// runtime and on its multi-thread runtime, first with jobs that wait, then
/// with jobs that compute, and compares results and times.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// How many jobs to spawn (1 to 10000).
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    jobs: u64,
    /// Worker threads of the multi-thread runtime (1 to 64).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64))]
    workers: u16,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match compare(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: could not start a tokio runtime: {error}");
            ExitCode::FAILURE
        }
    }
}

// ANCHOR: main
fn compare(args: &Args) -> std::io::Result<()> {
    let one_thread = runtime(Flavor::CurrentThread)?;
    let workers = usize::from(args.workers);
    let pool = runtime(Flavor::MultiThread { workers })?;
    let machine = Machine::now();
    let mut measured = Vec::new();
    for work in [Work::Waiting, Work::Computing] {
        // The same future-producing call, handed to two different executors,
        // in turn for ROUNDS rounds after a warm-up.
        let mut executors = [&one_thread, &pool]
            .map(|rt| move || rt.block_on(run_jobs(args.jobs, work)).0);
        measured.push((work, interleaved_infallible(ROUNDS, &mut executors)));
    }

    println!("{}", machine.header());
    println!(
        "{ROUNDS} rounds, the runtimes in turn; median (fastest – slowest)\n"
    );
    let pool_name = format!("multi-thread runtime, {workers} workers:");
    for (work, runs) in measured {
        describe(args.jobs, work);
        let [(one_took, one), (many_took, many)] = [&runs[0], &runs[1]];
        println!(
            "  {:<36} {:>28}  total {one}",
            "current-thread runtime:",
            one_took.display()
        );
        println!(
            "  {pool_name:<36} {:>28}  total {many}",
            many_took.display()
        );
        let same = one == many && *many == expected_total(args.jobs, work);
        println!("  same total as a plain loop: {same}");
        println!(
            "  multi-thread was {} faster (medians)\n",
            format_speedup(one_took.median(), many_took.median())
        );
    }
    Ok(())
}
// ANCHOR_END: main

fn describe(jobs: u64, work: Work) {
    match work {
        Work::Waiting => {
            let one_by_one = format_duration(WAIT * jobs as u32);
            let wait = format_duration(WAIT);
            println!(
                "{jobs} jobs that each wait {wait} (one after another: {one_by_one})"
            );
        }
        Work::Computing => {
            println!(
                "{jobs} jobs that each count the primes among {NUMBERS_PER_JOB} numbers"
            );
        }
    }
}
