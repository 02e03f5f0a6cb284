//! Load on the gRPC service: the same `IsPrime` call made many times, by 1, 4,
//! 16, ... concurrent callers sharing one HTTP/2 connection; requests per
//! second and latency.

use std::net::SocketAddr;
use std::process::ExitCode;

use book_helpers::{format_duration, load_average};
use ch28_grpc_load::{LoadReport, drive, grpc_call};
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
    /// Calls per row.
    #[arg(long, default_value_t = 4000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    calls: u64,
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
    println!(
        "gRPC (tonic), IsPrime over loopback, one HTTP/2 connection, {where_}"
    );
    if let Some(load) = load_average() {
        println!("load average before the run: {load:.1}");
    }
    println!(
        "{:>10} {:>8} {:>12} {:>10} {:>10}",
        "concurrent", "calls", "requests/s", "p50", "p99"
    );
    for &concurrency in &cli.concurrency {
        let report =
            drive(client.clone(), concurrency.into(), cli.calls, grpc_call)
                .await?;
        print_row(&report);
    }
    if let Some(server) = local {
        server.stop().await.map_err(|error| error.to_string())?;
    }
    Ok(())
}

fn print_row(report: &LoadReport) {
    println!(
        "{:>10} {:>8} {:>12.0} {:>10} {:>10}",
        report.concurrency,
        report.calls(),
        report.per_second(),
        format_duration(report.p50()),
        format_duration(report.p99()),
    );
}
