//! The same service with gRPC (tonic) and with tarpc, measured in one run: how
//! much code each needs, and how many calls per second each serves at 1, 16,
//! ... concurrent calls.

use std::process::ExitCode;

use std::time::{Duration, Instant};

use book_helpers::cli::exit_code;
use book_helpers::measure::{Machine, Speedups};
use ch28_grpc_load::{
    CALL_DEADLINE, ChildServer, Rounds, announce_and_wait, candidate, drive,
    grpc_call,
};
use ch28_grpc_tonic::client::connect_with as grpc_connect;
use ch28_grpc_tonic::server::RunningServer;
use ch29_tarpc_vs_grpc::service::{
    Nagle, NumbersClient, NumbersServer, connect_with, start_with,
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
    /// Socket settings to measure, one table each: `nodelay` sets
    /// TCP_NODELAY on every socket; `defaults` keeps what the libraries do
    /// unasked (tonic's channel sets it; tonic on a listener of its
    /// caller's, and tarpc on either side, leave Nagle's algorithm on).
    #[arg(long, value_delimiter = ',', default_value = "nodelay")]
    sockets: Vec<Sockets>,
    /// Serve instead of comparing: what the comparison starts in a child
    /// process.
    #[arg(long, hide = true)]
    serve: Option<Framework>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Sockets {
    Nodelay,
    Defaults,
}

impl Sockets {
    /// For the servers' accepted sockets and tarpc's client.
    fn nagle(self) -> Nagle {
        match self {
            Sockets::Nodelay => Nagle::Off,
            Sockets::Defaults => Nagle::On,
        }
    }
    /// tonic's `Endpoint` sets TCP_NODELAY unless told otherwise.
    fn grpc_client(self) -> Nagle {
        Nagle::Off
    }
    fn name(self) -> &'static str {
        match self {
            Sockets::Nodelay => "nodelay",
            Sockets::Defaults => "defaults",
        }
    }
    fn describe(self) -> &'static str {
        match self {
            Sockets::Nodelay => "TCP_NODELAY on every socket",
            Sockets::Defaults => {
                "the libraries' defaults: Nagle's algorithm on, but for the gRPC client"
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Framework {
    Grpc,
    Tarpc,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.serve {
        Some(framework) => serve(framework, &cli).await,
        None => {
            print_code_sizes();
            compare_load(&cli).await
        }
    };
    exit_code(outcome)
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
/// One load call with tarpc: the same question, the same deadline, the same
/// check as the gRPC load call.
async fn tarpc_call(client: NumbersClient, n: u64) -> Result<(), String> {
    let value = candidate(n);
    let mut context = context::current();
    context.deadline = Instant::now() + CALL_DEADLINE;
    let prime = client
        .is_prime(context, value)
        .await
        .map_err(|error| error.to_string())?
        .map_err(|refused| format!("{refused:?}"))?;
    if prime != ch28_grpc_tonic::is_prime(value) {
        return Err(format!("wrong answer for {value}"));
    }
    Ok(())
}
// ANCHOR_END: tarpc_call

/// The child process: one framework's server, no token, until the parent
/// closes our standard input.
async fn serve(framework: Framework, cli: &Cli) -> Result<(), String> {
    let nagle = cli.sockets.first().copied().unwrap_or(Sockets::Nodelay);
    let nagle = nagle.nagle();
    match framework {
        Framework::Grpc => {
            let server = RunningServer::start_with(None, nagle)
                .await
                .map_err(|e| e.to_string())?;
            announce_and_wait(server.address)
                .await
                .map_err(|e| e.to_string())?;
            server.stop().await.map_err(|e| e.to_string())
        }
        Framework::Tarpc => {
            let (address, server) = start_with(NumbersServer::default(), nagle)
                .await
                .map_err(|e| e.to_string())?;
            announce_and_wait(address)
                .await
                .map_err(|e| e.to_string())?;
            server.abort();
            Ok(())
        }
    }
}

// ANCHOR: compare
async fn compare_load(cli: &Cli) -> Result<(), String> {
    let machine = Machine::now();
    let mut tables = Vec::new();
    for &sockets in &cli.sockets {
        let nagle = sockets.nagle();
        let args =
            |framework| ["--serve", framework, "--sockets", sockets.name()];
        let grpc_server = ChildServer::spawn(&args("grpc")).await?;
        let tarpc_server = ChildServer::spawn(&args("tarpc")).await?;
        let grpc_client =
            grpc_connect(grpc_server.address, None, sockets.grpc_client())
                .await?;
        let tarpc_client = connect_with(tarpc_server.address, nagle).await?;
        let mut rows = Vec::new();
        for &concurrency in &cli.concurrency {
            let concurrency = usize::from(concurrency);
            let grpc = || {
                drive(grpc_client.clone(), concurrency, cli.calls, grpc_call)
            };
            let tarpc = || {
                drive(tarpc_client.clone(), concurrency, cli.calls, tarpc_call)
            };
            // One warm-up run each (connections, allocator, branch
            // predictors), then the rounds in turn, so load from elsewhere
            // hits both alike.
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
        grpc_server.stop().await?;
        tarpc_server.stop().await?;
        tables.push((sockets, rows));
    }

    println!();
    println!("{}", machine.header());
    println!(
        "IsPrime over loopback, a connection each, each server in its own process;"
    );
    println!(
        "no token on either side, a {}-second deadline on every call of both;",
        CALL_DEADLINE.as_secs()
    );
    println!(
        "{} rounds of {} calls a row, gRPC and tarpc in turn, after a warm-up;",
        cli.rounds, cli.calls
    );
    println!(
        "req/s: median of the rounds (slowest – fastest); p50, p99: all calls"
    );
    for (sockets, rows) in &tables {
        println!();
        println!("sockets: {}", sockets.describe());
        println!("{:<6} {:>10} {}", "", "concurrent", Rounds::TITLES);
        for (grpc, tarpc) in rows {
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
    }
    Ok(())
}
// ANCHOR_END: compare

fn elapsed(rounds: &Rounds) -> Vec<Duration> {
    rounds.runs.iter().map(|run| run.elapsed).collect()
}
