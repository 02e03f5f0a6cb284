//! The same async program on a current-thread and a multi-thread tokio runtime.

use std::process::ExitCode;

use book_helpers::{fastest_of, format_duration, format_speedup};
use ch11_one_program_two_runtimes::{
    Flavor, NUMBERS_PER_JOB, WAIT, Work, expected_total, run_jobs, runtime,
};
use clap::Parser;

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

    for work in [Work::Waiting, Work::Computing] {
        describe(args.jobs, work);
        // The same future-producing call, handed to two different executors.
        let ((one, _), one_took) =
            fastest_of(3, || one_thread.block_on(run_jobs(args.jobs, work)));
        let ((many, _), many_took) =
            fastest_of(3, || pool.block_on(run_jobs(args.jobs, work)));

        let pool_name = format!("multi-thread runtime, {workers} workers:");
        let one_took_text = format_duration(one_took);
        let many_took_text = format_duration(many_took);
        println!(
            "  {:<36} {one_took_text:>8}  total {one}",
            "current-thread runtime:"
        );
        println!("  {pool_name:<36} {many_took_text:>8}  total {many}");
        let same = one == many && many == expected_total(args.jobs, work);
        println!("  same total as a plain loop: {same}");
        println!(
            "  multi-thread was {} faster\n",
            format_speedup(one_took, many_took)
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
