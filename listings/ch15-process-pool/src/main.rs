//! Counting primes on a pool of worker processes, the way Python's
//! `multiprocessing.Pool` would, and on threads for comparison; a worker that
//! crashes loses nothing, and SIGINT or SIGTERM stop the pool cleanly.

use std::io;
use std::num::NonZeroUsize;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use book_helpers::format_speedup;
use book_helpers::measure::{Machine, interleaved};
use ch15_process_pool::protocol::{self, Job, count_primes, jobs, on_threads};
use ch15_process_pool::{pool, worker};
use clap::error::ErrorKind;
use clap::{CommandFactory, Parser, Subcommand};
use signal_hook::consts::{SIGINT, SIGTERM};

/// Rounds per way, the ways in turn, after a warm-up round.
const ROUNDS: usize = 5;

/// The size of the small jobs in the second comparison.
const SMALL_JOB: u64 = 100;

/// The number of the signal that asked the program to stop, or 0.
static STOP: AtomicUsize = AtomicUsize::new(0);

/// Counts primes on worker processes started from this program, with
/// length-prefixed messages over pipes, and compares with threads.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Worker processes (and threads) (1 to 32); defaults to the cores.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=32))]
    workers: Option<u16>,

    /// Jobs to split the numbers into (1 to 100000).
    #[arg(long, default_value_t = 40,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    jobs: u32,

    /// Numbers in each job (100 to 10000000).
    #[arg(long, default_value_t = 20_000,
          value_parser = clap::value_parser!(u64).range(100..=10_000_000))]
    job_size: u64,

    /// Make the worker doing this job kill itself halfway, once.
    #[arg(long, value_name = "JOB")]
    crash_job: Option<u32>,

    /// Make the worker doing this job stop answering, once.
    #[arg(long, value_name = "JOB")]
    hang_job: Option<u32>,

    /// Milliseconds a worker may take to start answering a job before it
    /// is killed and the job re-run (1 to 3600000).
    #[arg(long, default_value_t = 60_000, value_name = "MS",
          value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    deadline_ms: u64,

    /// Run only the pool, without the timed comparison.
    #[arg(long)]
    processes_only: bool,

    #[command(subcommand)]
    role: Option<Role>,
}

#[derive(Subcommand)]
enum Role {
    /// Serve jobs from stdin (the parent starts this).
    #[command(hide = true)]
    Worker,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.role {
        Some(Role::Worker) => worker::serve().map(|()| ExitCode::SUCCESS),
        None => parent(&args),
    };
    result.unwrap_or_else(|error| {
        eprintln!("error: {error}");
        ExitCode::FAILURE
    })
}

// ANCHOR: parent
fn parent(args: &Args) -> io::Result<ExitCode> {
    let crash = args
        .crash_job
        .map(|j| job_number("--crash-job", j, args.jobs));
    let hang = args
        .hang_job
        .map(|j| job_number("--hang-job", j, args.jobs));
    let deadline = Duration::from_millis(args.deadline_ms);
    // A signal only sets STOP; the pool looks at it between jobs.
    for signal in [SIGINT, SIGTERM] {
        signal_hook::flag::register_usize(signal, &STOP, signal as usize)?;
    }
    let exe = std::env::current_exe()?;
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let workers = args.workers.map_or(cores, usize::from);
    let mut jobs = jobs(args.jobs, args.job_size);
    let numbers = jobs.len() as u64 * args.job_size;
    println!("counting primes below {numbers} with {workers} workers");

    if !args.processes_only {
        let machine = Machine::now();
        let mut tables = vec![compare(&exe, workers, &jobs, deadline)?];
        // The same numbers in small jobs: now each message costs more
        // than the work it carries.
        let small = jobs.len() as u64 * args.job_size / SMALL_JOB;
        if args.job_size > SMALL_JOB && small <= 100_000 {
            let small = protocol::jobs(small as u32, SMALL_JOB);
            tables.push(compare(&exe, workers, &small, deadline)?);
        }
        println!("\n{}", machine.header());
        println!(
            "{ROUNDS} rounds, the ways in turn; median (fastest – slowest)"
        );
        for table in tables {
            print!("{table}");
        }
    }
    if let Some(crash) = crash {
        jobs[crash].crash = true;
        println!("\njob {crash} kills its worker halfway through:");
    }
    if let Some(hang) = hang {
        jobs[hang].hang = true;
        println!("\njob {hang} makes its worker stop answering:");
    }
    let all = jobs.len();
    let outcome = pool::run(&exe, workers, jobs, &STOP, deadline)?;
    let done = outcome.replies.len();
    let primes: u64 = outcome.replies.iter().map(|reply| reply.primes).sum();
    let each_once = outcome.replies.iter().map(|r| r.id as usize).eq(0..done);
    println!(
        "primes: {primes} ({done} of {all} jobs, each answered once: {each_once})"
    );
    println!("jobs re-run after a worker died: {}", outcome.reruns);
    println!("children left: {}", pool::children_left()?);

    Ok(match STOP.load(Ordering::Relaxed) {
        0 => ExitCode::SUCCESS,
        signal => {
            println!(
                "stopped by signal {signal}: no new jobs, workers stopped and reaped"
            );
            ExitCode::from(128 + signal as u8) // what a shell reports
        }
    })
}
// ANCHOR_END: parent

/// `--crash-job` and `--hang-job` name one of the jobs, or the program
/// stops with usage.
fn job_number(option: &str, job: u32, jobs: u32) -> usize {
    if job >= jobs {
        let message = format!("{option} {job}: the jobs are 0 to {}", jobs - 1);
        Args::command()
            .error(ErrorKind::ValueValidation, message)
            .exit();
    }
    job as usize
}

/// The same jobs in one loop, on threads, and on processes, timed; returns
/// the table.
fn compare(
    exe: &std::path::Path,
    workers: usize,
    jobs: &[Job],
    deadline: Duration,
) -> io::Result<String> {
    let mut one_loop = || {
        Ok(jobs
            .iter()
            .map(|job| count_primes(job.start..job.end))
            .sum::<u64>())
    };
    let mut threads = || Ok(on_threads(jobs, workers));
    let mut processes = || {
        pool::run(exe, workers, jobs.to_vec(), &STOP, deadline).map(|outcome| {
            outcome.replies.iter().map(|r| r.primes).sum::<u64>()
        })
    };
    let measured = interleaved(
        ROUNDS,
        &mut [&mut one_loop, &mut threads, &mut processes],
    )?;
    let size = jobs.first().map_or(0, |job| job.end - job.start);
    let mut table = format!("\n{} jobs of {size} numbers:\n", jobs.len());
    table += &format!(
        "{:<12} {:>8} {:>28} {:>8}\n",
        "way", "primes", "time", "speedup"
    );
    let baseline = measured[0].0.median();
    for (way, (time, primes)) in ["one loop", "threads", "processes"]
        .into_iter()
        .zip(&measured)
    {
        let speedup = format_speedup(baseline, time.median());
        table += &format!(
            "{way:<12} {primes:>8} {:>28} {speedup:>8}\n",
            time.display()
        );
    }
    Ok(table)
}
