//! Letters counted by workers that coordinate through shared state, and by
//! workers that coordinate by messages; both compared with one loop.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::thread;

use book_helpers::measure::{Machine, Summary, interleaved_infallible};
use book_helpers::{cli, format_speedup};
use ch03_shared_vs_messages::{
    Coordination, Counts, documents, message_passing, sequential, shared_state,
};
use clap::Parser;
use timeline::{Recorder, Timeline, write_schedule};

/// Each way runs once to warm up and then this many times, the ways taking
/// turns; the median run is shown with the fastest and the slowest.
const ROUNDS: usize = 5;

/// Counts the letters of generated documents in one loop, with workers that
/// share a mutex, and with workers that exchange messages with a
/// coordinator; prints the time and the coordination each needed.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Worker threads (1 to 64); defaults to the number of cores.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=64))]
    threads: Option<u16>,

    /// Documents to count (1 to 1000).
    #[arg(long, default_value_t = 16,
          value_parser = clap::value_parser!(u16).range(1..=1000))]
    documents: u16,

    /// Letters in each document (1000 to 10000000).
    #[arg(long, default_value_t = 500_000,
          value_parser = clap::value_parser!(u32).range(1_000..=10_000_000))]
    size: u32,

    /// Write the schedules here (schedule.mmd and schedule.svg).
    #[arg(long, env = "BOOK_OUTPUT_DIR", value_name = "DIR")]
    schedules: Option<PathBuf>,
}

struct Run {
    name: &'static str,
    threads: usize,
    counts: Counts,
    coordination: Coordination,
    time: Summary,
    /// The schedule of the last round.
    schedule: Timeline,
}

type Way = fn(&[String], usize, &Recorder) -> (Counts, Coordination);

// ANCHOR: main
fn main() -> ExitCode {
    let args = Args::parse();
    let machine = Machine::now();
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let workers = args.threads.map_or(cores, usize::from);
    let docs = documents(usize::from(args.documents), args.size as usize);

    let ways: [(&str, usize, Way); 3] = [
        ("one loop", 1, one_loop),
        ("shared state", workers, shared_state),
        ("messages", workers + 1, message_passing), // + the coordinator
    ];
    let runs = measure(&ways, &docs, workers);

    let letters: u64 = runs[0].counts.iter().sum();
    println!("{}", machine.header());
    println!("{} documents, {letters} letters", docs.len());
    println!("{ROUNDS} rounds, the ways in turn; median (fastest – slowest)");
    print_table(&runs);
    let same = runs.iter().all(|run| run.counts == runs[0].counts);
    println!("same counts every way: {same}");
    let saved = match &args.schedules {
        Some(dir) => save_schedules(dir, &runs),
        None => Ok(()),
    };
    cli::exit_code(saved)
}
// ANCHOR_END: main

/// `sequential` in the shape of the other two: no coordination at all.
fn one_loop(
    docs: &[String],
    _: usize,
    recorder: &Recorder,
) -> (Counts, Coordination) {
    (sequential(docs, recorder), Coordination::default())
}

/// Runs every way `ROUNDS` times, taking turns.
fn measure(
    ways: &[(&'static str, usize, Way)],
    docs: &[String],
    workers: usize,
) -> Vec<Run> {
    let mut runs: Vec<_> = ways
        .iter()
        .map(|&(_, _, way)| {
            move || {
                let recorder = Recorder::new();
                let (counts, coordination) = way(docs, workers, &recorder);
                (counts, coordination, recorder.timeline())
            }
        })
        .collect();
    let measured = interleaved_infallible(ROUNDS, &mut runs);
    ways.iter()
        .zip(measured)
        .map(
            |(
                &(name, threads, _),
                (time, (counts, coordination, schedule)),
            )| {
                Run {
                    name,
                    threads,
                    counts,
                    coordination,
                    time,
                    schedule,
                }
            },
        )
        .collect()
}

fn print_table(runs: &[Run]) {
    println!();
    let [a, b, c, d, e] =
        ["variant", "time", "coordination", "speedup", "threads"];
    println!("{a:<13} {b:>29} {c:>14} {d:>8} {e:>8}");
    for run in runs {
        let time = run.time.display();
        let coordination = match run.coordination {
            Coordination {
                locks: 0,
                messages: 0,
            } => "none".to_string(),
            Coordination { locks, messages: 0 } => format!("{locks} locks"),
            Coordination { messages, .. } => format!("{messages} messages"),
        };
        let speedup = format_speedup(runs[0].time.median(), run.time.median());
        let (name, threads) = (run.name, run.threads);
        println!(
            "{name:<13} {time:>29} {coordination:>14} {speedup:>8} {threads:>8}"
        );
    }
    println!();
}

/// Draws the runs' schedules into `dir`; a folder that cannot be written is
/// an error the reader must see.
fn save_schedules(dir: &Path, runs: &[Run]) -> Result<(), String> {
    let variants: Vec<_> =
        runs.iter().map(|run| (run.name, &run.schedule)).collect();
    let title =
        "Counting letters with shared state and with messages (measured)";
    write_schedule(dir, "schedule", title, &variants).map_err(|error| {
        format!("cannot write schedules into {}: {error}", dir.display())
    })?;
    println!("schedules written: schedule.mmd, schedule.svg");
    Ok(())
}
