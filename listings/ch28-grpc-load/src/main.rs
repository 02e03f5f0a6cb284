//! Load on the gRPC service: the same `IsPrime` call made many times, by 1, 4,
//! 16, ... concurrent callers sharing one HTTP/2 connection; requests per
//! second and latency.

use std::net::SocketAddr;
use std::process::ExitCode;

use book_helpers::cli::exit_code;
use book_helpers::measure::Machine;
use ch28_grpc_load::{
    CALL_DEADLINE, ChildServer, Rounds, announce_and_wait, drive, grpc_call,
};
use ch28_grpc_tonic::client::connect_with;
use ch28_grpc_tonic::server::{Nagle, RunningServer};
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
    /// Measured rounds per row, after one warm-up round (five, as chapter 29
    /// measures its gRPC rows).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=100))]
    rounds: u16,
    /// Load a server started elsewhere (`cargo run -p ch28-grpc-tonic --
    /// serve`) instead of one in this process.
    #[arg(long)]
    addr: Option<SocketAddr>,
    /// A token to send with every call, for a server at --addr that requires
    /// one; the server in a child process requires none, as in chapter 29.
    #[arg(long)]
    token: Option<String>,
    /// Leave Nagle's algorithm on for the server's sockets (no
    /// TCP_NODELAY), as tonic does for a listener its caller made; the
    /// client's channel sets TCP_NODELAY either way.
    #[arg(long)]
    nagle: bool,
    /// Serve instead of loading: what the load starts in a child process.
    #[arg(long, hide = true)]
    serve: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    exit_code(run(&cli).await)
}

fn nagle(cli: &Cli) -> Nagle {
    if cli.nagle { Nagle::On } else { Nagle::Off }
}

/// The child process: a server until the parent closes our standard input.
async fn serve(cli: &Cli) -> Result<(), String> {
    let server = RunningServer::start_with(cli.token.as_deref(), nagle(cli))
        .await
        .map_err(|e| e.to_string())?;
    announce_and_wait(server.address)
        .await
        .map_err(|e| e.to_string())?;
    server.stop().await.map_err(|e| e.to_string())
}

async fn run(cli: &Cli) -> Result<(), String> {
    if cli.serve {
        return serve(cli).await;
    }
    let machine = Machine::now();
    let child = match cli.addr {
        Some(_) => None,
        None => {
            let mut args = vec!["--serve"];
            if let Some(token) = &cli.token {
                args.extend(["--token", token.as_str()]);
            }
            if cli.nagle {
                args.push("--nagle");
            }
            Some(ChildServer::spawn(&args).await?)
        }
    };
    let address = cli.addr.or(child.as_ref().map(|server| server.address));
    let address = address.ok_or("no server to load")?;
    let client =
        connect_with(address, cli.token.as_deref(), Nagle::Off).await?;
    let where_ = if child.is_some() {
        "server in a child process"
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
    if let Some(server) = child {
        server.stop().await?;
    }
    println!("{}", machine.header());
    let sockets = if cli.nagle {
        "the server's with Nagle's algorithm on"
    } else {
        "TCP_NODELAY on both sides"
    };
    println!(
        "gRPC (tonic), IsPrime over loopback, one HTTP/2 connection, {where_};"
    );
    let token = if cli.token.is_some() {
        "a token"
    } else {
        "no token"
    };
    println!(
        "{token}, a {}-second deadline on every call; sockets: {sockets}",
        CALL_DEADLINE.as_secs()
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
