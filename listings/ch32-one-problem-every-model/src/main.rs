//! Chapter 1's prime count in every model of the book, timed side by side and
//! each checked against the plain loop.

use book_helpers::format_speedup;
use book_helpers::measure::{Machine, interleaved};
use ch32_one_problem_every_model::{Model, worker_main};
use clap::Parser;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use std::path::PathBuf;
use std::process::ExitCode;

/// Every model runs once to warm up, then this many rounds, the models taking
/// turns, so a burst of load from elsewhere slows one round of every model
/// rather than every run of one; each model's median is printed.
const ROUNDS: usize = 7;

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
    let machine = Machine::now();
    // The plain loop is always the first row: every speedup is measured against
    // it.
    let others = args
        .model
        .models()
        .into_iter()
        .filter(|m| *m != Model::Sequential);
    let models: Vec<Model> =
        std::iter::once(Model::Sequential).chain(others).collect();
    let mut ways: Vec<_> = models
        .iter()
        .map(|model| {
            let program = &program;
            move || {
                model.count(program, limit, threads).map_err(|error| {
                    format!("the {} model failed: {error}", model.name())
                })
            }
        })
        .collect();
    let mut ways: Vec<&mut dyn FnMut() -> Result<u64, String>> =
        ways.iter_mut().map(|way| way as _).collect();
    let measured = match interleaved(ROUNDS, &mut ways) {
        Ok(measured) => measured,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let (baseline, expected) = (measured[0].0.median(), measured[0].1);
    println!("{}", machine.header());
    println!(
        "primes below {limit}, {threads} threads or processes \
         where a model uses several"
    );
    println!("{ROUNDS} rounds, the models in turn; median (fastest – slowest)");
    println!();
    println!(
        "model                   lines    primes                        time  \
         speedup"
    );
    let mut wrong = Vec::new();
    for (model, (took, count)) in models.iter().zip(measured) {
        let (name, lines) = (model.name(), model.lines_of_code());
        let time = took.display();
        let speedup = format_speedup(baseline, took.median());
        println!(
            "{name:<22}  {lines:>5}  {count:>8}  {time:>26}  {speedup:>7}"
        );
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
