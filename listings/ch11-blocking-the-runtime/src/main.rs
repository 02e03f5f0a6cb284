//! A heartbeat next to slow work, with the slow work waited for in three ways.

use std::process::ExitCode;

use book_helpers::cli;
use book_helpers::format_duration;
use book_helpers::measure::Machine;
use ch11_blocking_the_runtime::{
    PERIOD, PIECE, Waiting, current_thread, multi_thread, run,
};
use clap::Parser;

/// Runs a heartbeat task (one tick every 10 ms) next to a worker task that does
/// slow pieces of work, and reports the longest gap between heartbeats for each
/// way the worker can wait.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// How many 50 ms pieces of work the worker does (1 to 100).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    pieces: u32,
}

fn main() -> ExitCode {
    let args = Args::parse();
    cli::exit_code(
        compare(args.pieces).map_err(|error| {
            format!("could not start a tokio runtime: {error}")
        }),
    )
}

fn compare(pieces: u32) -> std::io::Result<()> {
    let machine = Machine::now();
    let period = format_duration(PERIOD);
    let piece = format_duration(PIECE);
    println!(
        "a heartbeat ticks every {period}; a worker does {pieces} pieces of {piece} each\n"
    );
    println!(
        "{:<42} {:<18} longest gap between ticks",
        "how the worker waits", "runtime"
    );
    let rows = [
        ("sleep(..).await", Waiting::Await, None),
        (
            "std::thread::sleep inside the task",
            Waiting::BlockInTask,
            None,
        ),
        (
            "spawn_blocking(std::thread::sleep)",
            Waiting::SpawnBlocking,
            None,
        ),
        (
            "std::thread::sleep inside the task",
            Waiting::BlockInTask,
            Some(2),
        ),
    ];
    for (label, waiting, workers) in rows {
        let (runtime, name) = match workers {
            None => (current_thread()?, "current-thread".to_string()),
            Some(n) => (multi_thread(n)?, format!("multi-thread ({n})")),
        };
        let report = run(&runtime, pieces, waiting);
        assert_eq!(
            report.pieces_done, pieces,
            "the worker finishes every piece"
        );
        let gap = format_duration(report.longest_gap);
        println!("{label:<42} {name:<18} {gap:>8}");
    }
    println!("{}", machine.header());
    Ok(())
}
