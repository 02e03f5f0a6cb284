//! A consumer killed with SIGKILL mid-stream: with a Kafka-protocol log it
//! resumes from its stored offset and loses nothing; with ZeroMQ PUB/SUB what
//! was sent meanwhile is gone. Both counted.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use book_helpers::cli;
use ch27_consumer_restart::{self as restart, Tally, show_ids};
use clap::{Parser, Subcommand};

/// Kills a consumer mid-stream, once reading a log on the tansu broker (started
/// on 127.0.0.1) and once subscribed to a ZeroMQ publisher, and counts what
/// each lost.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Events to send (20 to 100000).
    #[arg(long, default_value_t = 2_000, value_parser = clap::value_parser!(u64).range(20..=100_000))]
    events: u64,
    /// Kill the consumer once it has processed this many events (1 to 10000).
    #[arg(long, default_value_t = 650, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    kill_after: u64,
    /// The consumer stores its offset after this many records (1 to 10000).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    commit_every: u64,
    #[command(subcommand)]
    role: Option<Role>,
}

#[derive(Subcommand)]
enum Role {
    /// A consumer of the log (the program starts these).
    #[command(hide = true)]
    Consume {
        #[arg(long)]
        broker: String,
        #[arg(long)]
        offset_file: PathBuf,
        #[arg(long)]
        processed_file: PathBuf,
        #[arg(long)]
        until: i64,
        #[arg(long)]
        commit_every: i64,
    },
    /// A ZeroMQ subscriber (the program starts these).
    #[command(hide = true)]
    Subscribe {
        #[arg(long)]
        endpoint: String,
        #[arg(long)]
        processed_file: PathBuf,
    },
}

fn main() -> ExitCode {
    cli::exit_code(run(Args::parse()))
}

fn run(args: Args) -> Result<()> {
    match args.role {
        Some(Role::Consume {
            broker,
            offset_file,
            processed_file,
            until,
            commit_every,
        }) => restart::consume(
            &broker,
            "events",
            (&offset_file, &processed_file),
            (until, commit_every),
            restart::PATIENCE,
        ),
        Some(Role::Subscribe {
            endpoint,
            processed_file,
        }) => restart::subscribe(&endpoint, &processed_file),
        None => {
            let events = args.events;
            let kill_after = usize::try_from(args.kill_after)?;
            println!(
                "A log (tansu, Kafka protocol): topic \"events\", 1 partition, {events} events"
            );
            let log =
                restart::with_the_log(events, kill_after, args.commit_every)?;
            show(&log);
            println!("ZeroMQ PUB/SUB over tcp 127.0.0.1: {events} events");
            let pub_sub = restart::with_pub_sub(events, kill_after)?;
            show(&pub_sub);
            if log.lost != 0 {
                bail!("the log lost {} events", log.lost);
            }
            Ok(())
        }
    }
}

fn show(tally: &Tally) {
    println!(
        "  processed {} times for {} events: lost {}{}, processed twice {}{}",
        tally.processed,
        tally.events,
        tally.lost,
        show_ids(&tally.lost_ids),
        tally.duplicates,
        show_ids(&tally.repeated_ids)
    );
}
