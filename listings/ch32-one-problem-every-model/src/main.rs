//! Chapter 1's prime count in every model of the book, timed side by side and
//! each checked against the plain loop.

use anyhow::Context;
use book_helpers::measure::{Machine, interleaved};
use book_helpers::{cli, format_duration, format_speedup};
use ch30_mpi_basics::under_mpirun;
use ch32_one_problem_every_model::{
    Model, mpi_rank, rpc_worker, worker_main, zeromq_worker,
};
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
/// runtimes, child processes, ZeroMQ PUSH/PULL, a tarpc worker pool, an MPI
/// reduce), checks that each finds the sequential count, and prints a table of
/// times and speedups. A model whose launcher is missing (`mpirun`) gets a row
/// that says so; it is an error only when it is the model asked for.
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

    /// Run as a worker of the ZeroMQ model: where to pull blocks from and
    /// where to push counts to.
    #[arg(long = "zeromq-worker", hide = true, num_args = 2)]
    zeromq_worker: Option<Vec<String>>,

    /// Run as a worker of the tarpc model (prints its address, serves until
    /// stdin closes).
    #[arg(long = "rpc-worker", hide = true)]
    rpc_worker: bool,
}

/// What a worker process or an MPI rank does instead of the table; `None` for
/// a reader's run.
fn as_worker(args: &Args) -> Option<anyhow::Result<()>> {
    if under_mpirun() {
        return Some(mpi_rank(args.size));
    }
    if args.worker {
        return Some(worker_main().map_err(Into::into));
    }
    if let Some([blocks_at, counts_at]) = args.zeromq_worker.as_deref() {
        return Some(zeromq_worker(blocks_at, counts_at));
    }
    args.rpc_worker.then(rpc_worker)
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
    match as_worker(&args) {
        Some(worked) => cli::exit_code(worked.context("worker")),
        None => cli::exit_code(every_model(&args)),
    }
}

/// Times every model asked for against the plain loop and prints the table.
fn every_model(args: &Args) -> Result<(), String> {
    let (limit, threads) = (args.size, usize::from(args.threads));
    // The process models start this same binary again: as workers with a
    // hidden flag, or as ranks under `mpirun`.
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
    let wanted: Vec<Model> =
        std::iter::once(Model::Sequential).chain(others).collect();
    // A model that cannot run here gets a row that says why; asked for by
    // name, it is an error.
    let (models, missing): (Vec<Model>, Vec<Model>) = wanted
        .into_iter()
        .partition(|model| model.missing().is_none());
    if let (Some(one), Some(model)) = (args.model.0, missing.first()) {
        let why = model.missing().unwrap_or_default();
        return Err(format!("cannot run {}: {why}", one.name()));
    }
    // Each model twice: on the work, and on nothing (numbers below 2), which
    // is what its structure costs before the first block: threads, runtimes,
    // processes, connections.
    let mut ways: Vec<_> = models
        .iter()
        .flat_map(|model| [(model, limit), (model, 2)])
        .map(|(model, limit)| {
            let program = &program;
            move || {
                model.count(program, limit, threads).map_err(|error| {
                    format!("the {} model failed: {error:#}", model.name())
                })
            }
        })
        .collect();
    let mut ways: Vec<&mut dyn FnMut() -> Result<u64, String>> =
        ways.iter_mut().map(|way| way as _).collect();
    let measured = interleaved(ROUNDS, &mut ways)?;
    let (baseline, expected) = (measured[0].0.median(), measured[0].1);
    let empty: Vec<_> = measured.iter().skip(1).step_by(2).collect();
    let measured: Vec<_> = measured.iter().step_by(2).collect();
    println!("{}", machine.header());
    println!(
        "primes below {limit}, {threads} threads or processes \
         where a model uses several"
    );
    println!("{ROUNDS} rounds, the models in turn; median (fastest – slowest)");
    println!(
        "empty: the same model with nothing to count, its median; \
         time includes it"
    );
    println!();
    let columns = ["model", "lines", "primes", "empty", "time", "speedup"];
    println!(
        "{:<22}  {:>5}  {:>8}  {:>9}  {:>26}  {:>7}",
        columns[0], columns[1], columns[2], columns[3], columns[4], columns[5]
    );
    let mut wrong = Vec::new();
    for ((model, (took, count)), (nothing, _)) in
        models.iter().zip(measured).zip(empty)
    {
        let (name, lines) = (model.name(), model.lines_of_code());
        let time = took.display();
        let empty = format_duration(nothing.median());
        let speedup = format_speedup(baseline, took.median());
        println!(
            "{name:<22}  {lines:>5}  {count:>8}  {empty:>9}  {time:>26}  \
             {speedup:>7}"
        );
        if *count != expected {
            wrong.push(format!("{name} counted {count}, the loop {expected}"));
        }
    }
    for model in &missing {
        let why = model.missing().unwrap_or_default();
        println!("{:<22}  not run: {why}", model.name());
    }
    if !wrong.is_empty() {
        return Err(wrong.join("; "));
    }
    println!();
    let which = if missing.is_empty() {
        "every model"
    } else {
        "every model run"
    };
    println!("{which} found the sequential count, {expected}");
    Ok(())
}
// ANCHOR_END: main
