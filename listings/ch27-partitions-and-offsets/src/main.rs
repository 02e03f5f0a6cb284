//! Keyed records on a topic with partitions, read back from offsets, against a
//! real Kafka-protocol broker started (and stopped) by the program.

use std::process::ExitCode;

use anyhow::Result;
use book_helpers::cli;
use ch27_partitions_and_offsets::broker::Broker;
use ch27_partitions_and_offsets::log::partitions_and_offsets;
use clap::Parser;

/// Starts the tansu broker on 127.0.0.1, sends keyed orders to a topic with
/// partitions, and reads them back from offsets.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Partitions of the topic (1 to 16).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(i32).range(1..=16))]
    partitions: i32,
    /// Orders per customer (1 to 100).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=100))]
    orders: u32,
}

fn main() -> ExitCode {
    cli::exit_code(run(&Args::parse()))
}

fn run(args: &Args) -> Result<()> {
    let broker = Broker::start()?;
    println!("tansu broker on 127.0.0.1, in-memory storage");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(partitions_and_offsets(
        &broker.address,
        args.partitions,
        args.orders,
    ))
}
