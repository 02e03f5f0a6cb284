//! One image tone-mapped three ways: in one loop, interleaved on one thread, on
//! threads.

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::thread;

use book_helpers::measure::{Machine, Summary, interleaved_infallible};
use book_helpers::{cli, format_speedup};
use ch02_vector_job::{
    checksum, interleaved_on_one_thread, on_threads, one_loop, test_image,
};
use clap::Parser;
use timeline::{Recorder, Timeline, write_schedule};

/// Each way runs once to warm up and then this many times, the ways taking
/// turns, so that a moment of noise on a busy machine lands on all of them
/// alike; the median run is reported with the fastest and the slowest.
const ROUNDS: usize = 10;

/// Tone-maps every pixel of a generated image in one loop, interleaved on one
/// thread, and split across threads; prints how long each way took and writes
/// the schedules.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Pixels in the image (1000 to 100000000).
    #[arg(long, default_value_t = 4_000_000,
          value_parser = clap::value_parser!(u64).range(1_000..=100_000_000))]
    size: u64,

    /// Threads for the parallel run, and parts the image is cut into (1 to
    /// 256); defaults to the number of cores.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,

    /// Write the schedules (schedule.mmd, a mermaid gantt chart, and
    /// schedule.svg) here.
    #[arg(long, env = "BOOK_OUTPUT_DIR", value_name = "DIR")]
    schedules: Option<PathBuf>,
}

type Way = fn(&[f32], usize, &Recorder) -> Vec<u8>;

struct Run {
    name: &'static str,
    threads: usize,
    output: Vec<u8>,
    time: Summary,
    /// The schedule of the last round.
    schedule: Timeline,
}

/// Runs every way `ROUNDS` times, taking turns.
fn measure(
    ways: [(&'static str, usize, Way); 3],
    image: &[f32],
    parts: usize,
) -> Vec<Run> {
    let mut runs = ways.map(|(_, _, way)| {
        move || {
            let recorder = Recorder::new();
            let output = way(image, parts, &recorder);
            (output, recorder.timeline())
        }
    });
    let measured = interleaved_infallible(ROUNDS, &mut runs);
    ways.iter()
        .zip(measured)
        .map(|((name, threads, _), (time, (output, schedule)))| Run {
            name,
            threads: *threads,
            output,
            time,
            schedule,
        })
        .collect()
}

fn main() -> ExitCode {
    let args = Args::parse();
    let machine = Machine::now();
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let threads = args.threads.map_or(cores, usize::from);
    let image = test_image(args.size as usize);

    let runs = measure(
        [
            ("one loop", 1, one_loop),
            ("interleaved, 1 thread", 1, interleaved_on_one_thread),
            ("on threads", threads, on_threads),
        ],
        &image,
        threads,
    );

    println!("{}", machine.header());
    println!("{} pixels in {threads} parts", args.size);
    println!("{ROUNDS} rounds, the ways in turn; median (fastest – slowest)");
    println!();
    println!(
        "{:<22} {:>29} {:>8} {:>8}",
        "variant", "time", "speedup", "threads"
    );
    for run in &runs {
        println!(
            "{:<22} {:>29} {:>8} {:>8}",
            run.name,
            run.time.display(),
            format_speedup(runs[0].time.median(), run.time.median()),
            run.threads,
        );
    }
    let same = runs.iter().all(|run| run.output == runs[0].output);
    println!();
    println!(
        "checksum {}, identical images: {same}",
        checksum(&runs[0].output)
    );

    if let Some(dir) = &args.schedules {
        let variants: Vec<_> =
            runs.iter().map(|run| (run.name, &run.schedule)).collect();
        let title = format!(
            "Tone-mapping {} pixels in {threads} parts (measured)",
            args.size
        );
        if let Err(error) = write_schedule(dir, "schedule", &title, &variants) {
            return cli::exit_code(Err(format!(
                "cannot write the schedules into {}: {error}",
                dir.display()
            )));
        }
        println!("schedules written: schedule.mmd, schedule.svg");
    }
    ExitCode::SUCCESS
}
