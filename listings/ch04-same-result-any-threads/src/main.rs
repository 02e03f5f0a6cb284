//! The same merge sort run in a rayon pool of one thread and of N threads.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::thread;

use book_helpers::measure::{Machine, Summary, interleaved_batched};
use book_helpers::{cli, format_speedup};
use ch04_same_result_any_threads::{TASKS, merge_sort, shuffled};
use clap::Parser;
use rayon::ThreadPoolBuilder;
use timeline::{Recorder, Timeline, write_schedule};

/// Each pool sorts once to warm up and then this many times, the pools taking
/// turns; the median run is shown with the fastest and the slowest.
const ROUNDS: usize = 5;

/// Sorts the same numbers with one merge sort written with `rayon::join`,
/// run in a pool of one thread and in a pool of N threads, and shows that
/// only the time differs.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Numbers to sort (16 to 50000000).
    #[arg(long, default_value_t = 1_000_000,
          value_parser = clap::value_parser!(u64).range(16..=50_000_000))]
    size: u64,

    /// Threads in the larger pool (1 to 256); defaults to the number of cores.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,

    /// Write the schedules here (schedule.mmd and schedule.svg).
    #[arg(long, env = "BOOK_OUTPUT_DIR", value_name = "DIR")]
    schedules: Option<PathBuf>,
}

struct Run {
    name: String,
    threads: usize,
    sorted: Vec<u32>,
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
    let numbers = shuffled(args.size as usize);

    let pools = [1, threads].map(|size| {
        ThreadPoolBuilder::new()
            .num_threads(size)
            .thread_name(|i| format!("pool thread {}", i + 1))
            .build()
            .expect("the system can start the pool's threads")
    });
    let ways = [
        ("pool of 1 thread".to_string(), 1, &pools[0]),
        (format!("pool of {threads} threads"), threads, &pools[1]),
    ];
    let runs = measure(&ways, &numbers);

    println!("{}", machine.header());
    println!("{} numbers, merge sort in {TASKS} tasks", numbers.len());
    println!("{ROUNDS} rounds, the pools in turn; median (fastest – slowest)");
    print_table(&runs);
    let same = runs[0].sorted == runs[1].sorted;
    let sorted = runs[0].sorted.is_sorted();
    println!("sorted: {sorted}; identical on 1 and {threads} threads: {same}");
    let saved = match &args.schedules {
        Some(dir) => save_schedules(dir, &runs),
        None => Ok(()),
    };
    cli::exit_code(saved)
}
// ANCHOR_END: main

/// Runs the sort in each pool `ROUNDS` times, taking turns, each time on a
/// fresh copy of the numbers made outside the timed region.
fn measure(
    ways: &[(String, usize, &rayon::ThreadPool)],
    numbers: &[u32],
) -> Vec<Run> {
    let mut sorts: Vec<_> = ways
        .iter()
        .map(|(_, _, pool)| {
            move |mut sorted: Vec<u32>| {
                let mut scratch = vec![0; sorted.len()];
                let recorder = Recorder::new();
                pool.install(|| {
                    merge_sort(&mut sorted, &mut scratch, true, &recorder)
                });
                (sorted, recorder.timeline())
            }
        })
        .collect();
    let measured = interleaved_batched(ROUNDS, || numbers.to_vec(), &mut sorts);
    ways.iter()
        .zip(measured)
        .map(|((name, threads, _), (time, (sorted, schedule)))| Run {
            name: name.clone(),
            threads: *threads,
            sorted,
            time,
            schedule,
        })
        .collect()
}

fn print_table(runs: &[Run]) {
    println!();
    let [a, b, c, d, e] = ["variant", "time", "tasks", "speedup", "threads"];
    println!("{a:<20} {b:>29} {c:>6} {d:>8} {e:>8}");
    for run in runs {
        let time = run.time.display();
        let tasks = run.schedule.spans().len();
        let speedup = format_speedup(runs[0].time.median(), run.time.median());
        let (name, threads) = (&run.name, run.threads);
        println!("{name:<20} {time:>29} {tasks:>6} {speedup:>8} {threads:>8}");
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
    let title = "One merge sort, two pools (measured)";
    write_schedule(dir, "schedule", title, &variants).map_err(|error| {
        format!("cannot write schedules into {}: {error}", dir.display())
    })?;
    println!("schedules written: schedule.mmd, schedule.svg");
    Ok(())
}
