//! A fast producer and a slow consumer, joined by an unbounded and a bounded
//! channel.

use std::process::ExitCode;

use book_helpers::measure::{Machine, interleaved_infallible};
use book_helpers::{cli, format_speedup};
use ch13_backpressure::{Channel, RECORD_BYTES, expected, run};
use clap::Parser;

/// Each channel runs once to warm up and then this many times, the two taking
/// turns; the median run is shown with the fastest and the slowest.
const ROUNDS: usize = 5;

/// Sends records of 1 KiB from a producer that never pauses to a consumer that
/// pauses 1 ms every 1000 records, through an unbounded and a bounded channel,
/// and reports how many records each channel held at its fullest.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// How many records to send (1 to 200000).
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u32).range(1..=200_000))]
    items: u32,
    /// Capacity of the bounded channel (1 to 10000).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=10_000))]
    capacity: u16,
}

// ANCHOR: main
fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            let why = format!("could not start a tokio runtime: {error}");
            return cli::exit_code(Err(why));
        }
    };
    let machine = Machine::now();
    let bounded = Channel::Bounded(usize::from(args.capacity));
    let channels = [
        ("unbounded channel", Channel::Unbounded),
        ("bounded channel", bounded),
    ];
    let (runtime, items) = (&runtime, args.items);
    let mut runs: Vec<_> = channels
        .iter()
        .map(|&(_, channel)| move || runtime.block_on(run(items, channel)))
        .collect();
    let measured = interleaved_infallible(ROUNDS, &mut runs);

    println!("{}", machine.header());
    let kib = RECORD_BYTES / 1024;
    println!(
        "{} records of {kib} KiB; the consumer pauses 1 ms every 1000",
        args.items
    );
    println!(
        "{ROUNDS} rounds, the channels in turn; median (fastest – slowest)\n"
    );
    for ((name, _), (time, (summary, flow))) in channels.iter().zip(&measured) {
        let peak = flow.peak_queued();
        let held = peak * RECORD_BYTES / 1024;
        println!("{name}:");
        println!(
            "  records consumed, in order: {} (as a plain loop: {})",
            summary.records,
            *summary == expected(args.items)
        );
        println!(
            "  most records queued at once: {peak} ({held} KiB held by the channel)"
        );
        println!("  took: {}\n", time.display());
    }
    let unbounded_over_bounded =
        format_speedup(measured[0].0.median(), measured[1].0.median());
    println!("unbounded median ÷ bounded median: {unbounded_over_bounded}");
    ExitCode::SUCCESS
}
// ANCHOR_END: main
