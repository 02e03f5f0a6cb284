//! A server shut down while requests are in flight: none of them is lost.

use std::io;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use book_helpers::cli;
use book_helpers::format_duration;
use ch12_graceful_shutdown::{Counters, Outcome, request, serve};
use clap::Parser;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Starts a request server on 127.0.0.1, sends it a first wave of requests,
/// shuts it down while they are being worked on, then sends a second wave, and
/// counts what happened.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Requests sent before the shutdown (1 to 1000).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=1000))]
    early: u16,
    /// Requests sent after the shutdown began (0 to 1000).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(0..=1000))]
    late: u16,
    /// Milliseconds of work per request (1 to 5000).
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=5000))]
    work_ms: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    cli::exit_code(run(&args).await)
}

// ANCHOR: main
async fn run(args: &Args) -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    eprintln!("listening on {address}"); // The port changes every run.
    let shutdown = CancellationToken::new();
    let counters = Arc::new(Counters::default());
    let work = Duration::from_millis(args.work_ms);
    let server = tokio::spawn(serve(
        listener,
        shutdown.clone(),
        work,
        Arc::clone(&counters),
    ));

    let mut clients = JoinSet::new();
    let early = usize::from(args.early);
    for id in 0..early {
        clients.spawn(request(address, id));
    }
    // Shut down only once the server holds every early request, mid-work.
    while counters.accepted() < early {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    println!(
        "{early} requests accepted, each needing {} of work",
        format_duration(work)
    );
    println!(
        "shutdown requested while {} are still in flight",
        early - counters.answered()
    );
    shutdown.cancel();

    for id in early..early + usize::from(args.late) {
        clients.spawn(request(address, id));
    }
    let (mut answered, mut refused) = (0, 0);
    while let Some(outcome) = clients.join_next().await {
        match outcome.map_err(io::Error::other)?? {
            Outcome::Answered => answered += 1,
            Outcome::Refused => refused += 1,
        }
    }
    server.await.map_err(io::Error::other)?; // Returns once the drain is complete.
    println!(
        "server stopped after draining: answered {} of {} accepted",
        counters.answered(),
        counters.accepted()
    );
    // A lost request would have ended the loop above with an error.
    println!(
        "clients: {answered} answered, {refused} refused after the shutdown, \
         none lost"
    );
    Ok(())
}
// ANCHOR_END: main
