//! Chapter 1's prime count in every model of the book, timed side by side and
//! each checked against the plain loop.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use book_helpers::{format_duration, format_speedup, timed};
use ch32_one_problem_every_model::{Model, worker_main};
use clap::Parser;
use clap::builder::{PossibleValuesParser, TypedValueParser};

/// Each model runs this many times and its fastest run is printed, so a moment
/// of noise on a shared machine does not decide the comparison.
const RUNS: usize = 7;

/// Counts the primes below a limit in every concurrency model the book teaches
/// (sequential, scoped threads, a channel pipeline, rayon, tokio on three
/// runtimes, child processes), checks that each finds the sequential count, and
/// prints a table of times and speedups.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Count the primes below this number (2 to 100000000).
    #[arg(long, default_value_t = 2_000_000,
          value_parser = clap::value_parser!(u64).range(2..=100_000_000))]
    size: u64,

    /// Threads (or worker processes) for the models that use several (1 to 64).
    #[arg(
        long,
        default_value_t = 2,
        value_parser = clap::value_parser!(u16).range(1..=64)
    )]
    threads: u16,

    /// Which model to run, or `all`.
    #[arg(long, default_value = "all", value_parser = model_choice())]
    model: Choice,

    /// Run as a worker process of the `processes` model (reads its job on
    /// stdin).
    #[arg(long = "worker", hide = true)]
    worker: bool,
}

/// `--model`: one model by its name, or every model (`all`).
#[derive(Clone)]
struct Choice(Option<Model>);

impl Choice {
    fn models(&self) -> Vec<Model> {
        self.0.map_or(Model::ALL.to_vec(), |one| vec![one])
    }
}

/// Accepts `all` or a model's name, and lists them all in `--help` and in the
/// error clap prints for anything else. The names come from `Model` itself, so
/// no list is kept twice.
fn model_choice() -> impl TypedValueParser<Value = Choice> {
    let names = std::iter::once("all").chain(Model::ALL.map(Model::name));
    PossibleValuesParser::new(names).map(|name| {
        Choice(Model::ALL.into_iter().find(|model| model.name() == name))
    })
}

// ANCHOR: main
fn main() -> ExitCode {
    let args = Args::parse();
    if args.worker {
        return match worker_main() {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("worker: {error}");
                ExitCode::FAILURE
            }
        };
    }
    let (limit, threads) = (args.size, usize::from(args.threads));
    // The process model starts this same binary again, with `--worker`.
    let program = std::env::current_exe()
        .unwrap_or_else(|_| PathBuf::from("/proc/self/exe"));
    println!(
        "primes below {limit}, {threads} threads or processes \
         where a model uses several"
    );
    println!(
        "({RUNS} rounds, each running every model once; \
         each time is the model's fastest)"
    );
    // The plain loop is always the first row: every speedup is measured against
    // it.
    let others = args
        .model
        .models()
        .into_iter()
        .filter(|m| *m != Model::Sequential);
    let models: Vec<Model> =
        std::iter::once(Model::Sequential).chain(others).collect();
    // Rounds rather than each model's runs back to back: a burst of load from
    // elsewhere on the machine then slows one round of every model, not every
    // run of one model.
    let mut results = vec![(0, Duration::MAX); models.len()];
    for _ in 0..RUNS {
        for (model, best) in models.iter().zip(&mut results) {
            let (count, took) = timed(|| model.count(&program, limit, threads));
            match count {
                Ok(count) => *best = (count, best.1.min(took)),
                Err(error) => {
                    eprintln!(
                        "error: the {} model failed: {error}",
                        model.name()
                    );
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    let (expected, baseline) = results[0];
    println!();
    println!("model                   lines    primes      time  speedup");
    let mut wrong = Vec::new();
    for (model, (count, took)) in models.iter().zip(results) {
        let (name, lines) = (model.name(), model.lines_of_code());
        let (time, speedup) =
            (format_duration(took), format_speedup(baseline, took));
        println!("{name:<22}  {lines:>5}  {count:>8}  {time:>8}  {speedup:>7}");
        if count != expected {
            wrong.push(format!("{name} counted {count}, the loop {expected}"));
        }
    }
    if !wrong.is_empty() {
        eprintln!("error: {}", wrong.join("; "));
        return ExitCode::FAILURE;
    }
    println!();
    println!("every model found the sequential count, {expected}");
    ExitCode::SUCCESS
}
// ANCHOR_END: main
