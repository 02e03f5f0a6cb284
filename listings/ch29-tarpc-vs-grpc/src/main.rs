//! The same service with gRPC (tonic) and with tarpc, measured in one run: how
//! much code each needs, and how many calls per second each serves at 1, 16,
//! ... concurrent calls.

use std::process::ExitCode;

use std::time::Duration;

use book_helpers::measure::{Machine, Speedups};
use ch28_grpc_load::{Rounds, candidate, drive, grpc_call};
use ch28_grpc_tonic::client::connect as grpc_connect;
use ch28_grpc_tonic::server::RunningServer;
use ch29_tarpc_vs_grpc::service::{
    NumbersClient, NumbersServer, connect, start,
};
use ch29_tarpc_vs_grpc::{SOURCES, code_lines};
use clap::Parser;
use tarpc::context;

#[derive(Parser)]
#[command(
    about = "gRPC (tonic) against tarpc on one service: code lines, req/s, p50/p99"
)]
struct Cli {
    /// Calls in flight at once; two table rows (gRPC, tarpc) per value.
    #[arg(long, value_delimiter = ',', default_value = "1,16,64",
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    concurrency: Vec<u16>,
    /// Calls per round.
    #[arg(
        long,
        default_value_t = 4000,
        value_parser = clap::value_parser!(u64).range(1..=1_000_000)
    )]
    calls: u64,
    /// Measured rounds per row, gRPC and tarpc in turn, after one warm-up
    /// round.
    #[arg(
        long,
        default_value_t = 5,
        value_parser = clap::value_parser!(u16).range(1..=100)
    )]
    rounds: u16,
}

const TOKEN: &str = "open-sesame";

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    print_code_sizes();
    match compare_load(&cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn print_code_sizes() {
    println!(
        "code lines (not blank, not comments) of contract, server and client"
    );
    for framework in ["gRPC", "tarpc"] {
        let mut total = 0;
        for source in SOURCES
            .iter()
            .filter(|source| source.framework == framework)
        {
            let lines = code_lines(source.text);
            total += lines;
            println!("  {framework:<6} {:<36} {lines:>4}", source.path);
        }
        println!("  {framework:<6} {:<36} {total:>4}", "total");
    }
}

// ANCHOR: tarpc_call
/// One load call with tarpc: the same question, the same check as the gRPC load
/// call.
async fn tarpc_call(client: NumbersClient, n: u64) -> Result<(), String> {
    let value = candidate(n);
    let prime = client
        .is_prime(context::current(), value)
        .await
        .map_err(|error| error.to_string())?
        .map_err(|refused| format!("{refused:?}"))?;
    if prime != ch28_grpc_tonic::is_prime(value) {
        return Err(format!("wrong answer for {value}"));
    }
    Ok(())
}
// ANCHOR_END: tarpc_call

// ANCHOR: compare
async fn compare_load(cli: &Cli) -> Result<(), String> {
    let machine = Machine::now();
    let grpc_server = RunningServer::start(TOKEN)
        .await
        .map_err(|e| e.to_string())?;
    let grpc_client = grpc_connect(grpc_server.address, Some(TOKEN)).await?;
    let (tarpc_address, tarpc_server) = start(NumbersServer::default())
        .await
        .map_err(|e| e.to_string())?;
    let tarpc_client = connect(tarpc_address).await?;

    let mut rows = Vec::new();
    for &concurrency in &cli.concurrency {
        let concurrency = usize::from(concurrency);
        let grpc =
            || drive(grpc_client.clone(), concurrency, cli.calls, grpc_call);
        let tarpc =
            || drive(tarpc_client.clone(), concurrency, cli.calls, tarpc_call);
        // One warm-up run each (connections, allocator, branch predictors),
        // then the rounds in turn, so load from elsewhere hits both alike.
        grpc().await?;
        tarpc().await?;
        let (mut grpc_runs, mut tarpc_runs) = (Vec::new(), Vec::new());
        for _ in 0..cli.rounds {
            grpc_runs.push(grpc().await?);
            tarpc_runs.push(tarpc().await?);
        }
        rows.push((
            Rounds {
                concurrency,
                runs: grpc_runs,
            },
            Rounds {
                concurrency,
                runs: tarpc_runs,
            },
        ));
    }
    tarpc_server.abort();
    grpc_server.stop().await.map_err(|e| e.to_string())?;

    println!();
    println!("{}", machine.header());
    println!(
        "IsPrime over loopback, a connection each, servers in this process;"
    );
    println!(
        "{} rounds of {} calls a row, gRPC and tarpc in turn, after a warm-up;",
        cli.rounds, cli.calls
    );
    println!(
        "req/s: median of the rounds (slowest – fastest); p50, p99: all calls"
    );
    println!("{:<6} {:>10} {}", "", "concurrent", Rounds::TITLES);
    for (grpc, tarpc) in &rows {
        let concurrency = grpc.concurrency;
        println!("{:<6} {concurrency:>10} {}", "gRPC", grpc.cells());
        println!("{:<6} {concurrency:>10} {}", "tarpc", tarpc.cells());
        // Equal call counts: in each round, the ratio of the times is the
        // ratio of the rates.
        let speedups = Speedups::of_rounds(&elapsed(grpc), &elapsed(tarpc));
        println!(
            "{:<6} {concurrency:>10} tarpc served {} the requests/s of gRPC",
            "",
            speedups.display()
        );
    }
    Ok(())
}
// ANCHOR_END: compare

fn elapsed(rounds: &Rounds) -> Vec<Duration> {
    rounds.runs.iter().map(|run| run.elapsed).collect()
}
