//! One image tone-mapped three ways: in one loop, interleaved on one thread, on
//! threads.

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use book_helpers::{cli, format_duration, format_speedup, timed};
use ch02_vector_job::{
    checksum, interleaved_on_one_thread, on_threads, one_loop, test_image,
};
use clap::Parser;
use timeline::{Recorder, Timeline, write_schedule};

/// Each way is run this many times and its fastest run is the one reported, so
/// that a moment of noise on a busy machine does not decide the comparison.
const RUNS: usize = 10;

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
    time: Duration,
    schedule: Timeline,
}

/// Runs every way `RUNS` times, taking turns so that a busy moment on the
/// machine hits all of them alike, and keeps each way's fastest run.
fn measure(
    ways: [(&'static str, usize, Way); 3],
    image: &[f32],
    parts: usize,
) -> Vec<Run> {
    let mut best: Vec<Option<Run>> = ways.iter().map(|_| None).collect();
    for _ in 0..RUNS {
        for ((name, threads, way), best) in ways.iter().zip(&mut best) {
            let recorder = Recorder::new();
            let (output, time) = timed(|| way(image, parts, &recorder));
            if best.as_ref().is_none_or(|best| time < best.time) {
                let schedule = recorder.timeline();
                *best = Some(Run {
                    name,
                    threads: *threads,
                    output,
                    time,
                    schedule,
                });
            }
        }
    }
    best.into_iter()
        .map(|run| run.expect("RUNS is at least 1"))
        .collect()
}

fn main() -> ExitCode {
    let args = Args::parse();
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

    println!(
        "{} pixels in {threads} parts; each time is the fastest of {RUNS} runs",
        args.size
    );
    println!();
    println!(
        "{:<22} {:>9} {:>10} {:>8} {:>8}",
        "variant", "time", "pixels", "speedup", "threads"
    );
    for run in &runs {
        println!(
            "{:<22} {:>9} {:>10} {:>8} {:>8}",
            run.name,
            format_duration(run.time),
            run.output.len(),
            format_speedup(runs[0].time, run.time),
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
