//! Load on the gRPC service: the same `IsPrime` call made many times, by 1, 4,
//! 16, ... concurrent callers sharing one HTTP/2 connection; requests per
//! second and latency.

use std::net::SocketAddr;
use std::process::ExitCode;

use book_helpers::measure::Machine;
use ch28_grpc_load::{Rounds, drive, grpc_call};
use ch28_grpc_tonic::client::connect;
use ch28_grpc_tonic::server::RunningServer;
use clap::Parser;

#[derive(Parser)]
#[command(
    about = "Load on the gRPC service: requests per second and p50/p99 latency at each concurrency"
)]
struct Cli {
    /// Calls in flight at once; one table row per value.
    #[arg(long, value_delimiter = ',', default_value = "1,4,16,64",
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    concurrency: Vec<u16>,
    /// Calls per round.
    #[arg(long, default_value_t = 4000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    calls: u64,
    /// Measured rounds per row, after one warm-up round.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=100))]
    rounds: u16,
    /// Load a server started elsewhere (`cargo run -p ch28-grpc-tonic --
    /// serve`) instead of one in this process.
    #[arg(long)]
    addr: Option<SocketAddr>,
    #[arg(long, default_value = "open-sesame")]
    token: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: &Cli) -> Result<(), String> {
    let machine = Machine::now();
    let local = match cli.addr {
        Some(_) => None,
        None => Some(
            RunningServer::start(&cli.token)
                .await
                .map_err(|e| e.to_string())?,
        ),
    };
    let address = cli.addr.or(local.as_ref().map(|server| server.address));
    let address = address.ok_or("no server to load")?;
    let client = connect(address, Some(&cli.token)).await?;
    let where_ = if local.is_some() {
        "server in this process"
    } else {
        "server at --addr"
    };
    let mut rows = Vec::new();
    for &concurrency in &cli.concurrency {
        let concurrency = usize::from(concurrency);
        let load = || drive(client.clone(), concurrency, cli.calls, grpc_call);
        // A warm-up round, then the measured ones.
        load().await?;
        let mut runs = Vec::new();
        for _ in 0..cli.rounds {
            runs.push(load().await?);
        }
        rows.push(Rounds { concurrency, runs });
    }
    if let Some(server) = local {
        server.stop().await.map_err(|error| error.to_string())?;
    }
    println!("{}", machine.header());
    println!(
        "gRPC (tonic), IsPrime over loopback, one HTTP/2 connection, {where_};"
    );
    println!(
        "{} rounds of {} calls per row after a warm-up round; req/s: median \
         (slowest – fastest); p50, p99: all calls",
        cli.rounds, cli.calls
    );
    println!("{:>10} {}", "concurrent", Rounds::TITLES);
    for row in &rows {
        println!("{:>10} {}", row.concurrency, row.cells());
    }
    Ok(())
}
