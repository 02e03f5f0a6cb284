//! The prefix sum three ways: the sequential scan, the blocked scan run on
//! one thread, and the blocked scan on several threads.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::thread;

use book_helpers::measure::{Machine, Summary, interleaved_batched};
use book_helpers::{cli, format_speedup};
use ch04_parallel_prefix_sum::{
    Execution, blocked_scan, input, sequential_scan,
};
use clap::Parser;
use timeline::{Recorder, Timeline, write_schedule};

/// Every way runs once to warm up and then this many times, the ways taking
/// turns; the median run is shown with the fastest and the slowest.
const ROUNDS: usize = 10;

/// Computes the prefix sums of an array sequentially and with the blocked
/// parallel scan (on one thread and on several); prints time and additions.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Elements in the array (1 to 100000000).
    #[arg(long, default_value_t = 8_000_000,
          value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    size: u64,

    /// Threads, and parts the blocked scan cuts the array into (1 to 256);
    /// defaults to the number of cores.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,

    /// Write the schedules here (schedule.mmd and schedule.svg).
    #[arg(long, env = "BOOK_OUTPUT_DIR", value_name = "DIR")]
    schedules: Option<PathBuf>,
}

struct Run {
    name: String,
    result: Vec<u64>,
    additions: usize,
    time: Summary,
    /// The schedule of the last round.
    schedule: Timeline,
}

// ANCHOR: main
fn main() -> ExitCode {
    let args = Args::parse();
    let machine = Machine::now();
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let threads = args.threads.map_or(cores, usize::from);
    let data = input(args.size as usize);

    let on_threads = format!("blocked, {threads} threads");
    let ways = [
        ("sequential scan".into(), None),
        ("blocked, 1 thread".into(), Some(Execution::OneThread)),
        (on_threads, Some(Execution::Threads)),
    ];
    let runs = measure(&ways, &data, threads);

    println!("{}", machine.header());
    println!("prefix sums of {} numbers, {threads} parts", data.len());
    println!("{ROUNDS} rounds, the ways in turn; median (fastest – slowest)");
    print_table(&runs);
    let same = runs.iter().all(|run| run.result == runs[0].result);
    let total = runs[0].result.last().copied().unwrap_or(0);
    println!("same sums every way: {same} (the last one is {total})");
    let saved = match &args.schedules {
        Some(dir) => save_schedules(dir, &runs),
        None => Ok(()),
    };
    cli::exit_code(saved)
}
// ANCHOR_END: main

/// Runs every way `ROUNDS` times on a fresh copy of the data, taking turns.
/// Only the scan itself is timed, not the copy.
fn measure(
    ways: &[(String, Option<Execution>)],
    data: &[u64],
    parts: usize,
) -> Vec<Run> {
    let mut scans: Vec<_> =
        ways.iter()
            .map(|(_, execution)| {
                move |mut result: Vec<u64>| {
                    let recorder = Recorder::new();
                    let additions = match execution {
                        None => recorder
                            .span("scan", || sequential_scan(&mut result)),
                        Some(how) => {
                            blocked_scan(&mut result, parts, *how, &recorder)
                        }
                    };
                    (result, additions, recorder.timeline())
                }
            })
            .collect();
    let measured = interleaved_batched(ROUNDS, || data.to_vec(), &mut scans);
    ways.iter()
        .zip(measured)
        .map(|((name, _), (time, (result, additions, schedule)))| Run {
            name: name.clone(),
            result,
            additions,
            time,
            schedule,
        })
        .collect()
}

fn print_table(runs: &[Run]) {
    println!();
    let header = ["variant", "time", "additions", "per element", "speedup"];
    let [a, b, c, d, e] = header;
    println!("{a:<20} {b:>29} {c:>10} {d:>12} {e:>8}");
    let n = runs[0].result.len().max(1) as f64;
    for run in runs {
        let time = run.time.display();
        let additions = run.additions;
        let per = format!("{:.2}", additions as f64 / n);
        let speedup = format_speedup(runs[0].time.median(), run.time.median());
        let name = &run.name;
        println!(
            "{name:<20} {time:>29} {additions:>10} {per:>12} {speedup:>8}"
        );
    }
    println!();
}

/// Draws the runs' schedules into `dir`; a folder that cannot be written is
/// an error the reader must see.
fn save_schedules(dir: &Path, runs: &[Run]) -> Result<(), String> {
    let variants: Vec<_> = runs
        .iter()
        .map(|run| (run.name.as_str(), &run.schedule))
        .collect();
    let title = "Prefix sums, in one pass and in three phases (measured)";
    write_schedule(dir, "schedule", title, &variants).map_err(|error| {
        format!("cannot write schedules into {}: {error}", dir.display())
    })?;
    println!("schedules written: schedule.mmd, schedule.svg");
    Ok(())
}
