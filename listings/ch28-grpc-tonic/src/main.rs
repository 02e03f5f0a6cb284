//! A tour of gRPC with tonic: the four kinds of call, a deadline, a cancelled
//! call, status codes and a token check — against a server in this process
//! (`tour`), or a server started on its own (`serve`) and called from another
//! process (`call`).

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use book_helpers::cli::exit_code;
use ch28_grpc_tonic::client::{self, Client, connect, describe};
use ch28_grpc_tonic::server::{
    Failure, NumbersService, RunningServer, WorkLog, serve,
};
use clap::{Parser, Subcommand};
use tokio::net::TcpListener;
use tokio::time::{Instant, sleep, timeout};

/// gRPC with tonic: unary and streaming calls, deadlines, cancellation,
/// status codes, a token.
#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    mode: Option<Mode>,
}

#[derive(Subcommand)]
enum Mode {
    /// Start a server on 127.0.0.1 and make every kind of call to it (the
    /// default).
    Tour {
        /// The token the server requires.
        #[arg(long, default_value = "open-sesame")]
        token: String,
    },
    /// Serve on 127.0.0.1 (a free port, printed) for a bounded time.
    Serve {
        #[arg(long, default_value = "open-sesame")]
        token: String,
        /// Stop serving after this many seconds.
        #[arg(
            long,
            default_value_t = 30,
            value_parser = clap::value_parser!(u64).range(1..=600)
        )]
        seconds: u64,
    },
    /// Make the tour's calls to a server started with `serve`.
    Call {
        /// The server's address, as `serve` printed it.
        #[arg(long)]
        addr: SocketAddr,
        #[arg(long, default_value = "open-sesame")]
        token: String,
    },
    /// One long `Work` call (200 steps of 100 ms) to a server started with
    /// `serve`: a client to stop or kill halfway.
    Work {
        #[arg(long)]
        addr: SocketAddr,
        #[arg(long, default_value = "open-sesame")]
        token: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.mode.unwrap_or(Mode::Tour {
        token: "open-sesame".into(),
    }) {
        Mode::Tour { token } => tour(&token).await,
        Mode::Serve { token, seconds } => {
            serve_for(&token, Duration::from_secs(seconds)).await
        }
        Mode::Call { addr, token } => calls(addr, &token).await,
        Mode::Work { addr, token } => long_work(addr, &token).await,
    };
    exit_code(outcome)
}

// ANCHOR: tour
async fn tour(token: &str) -> Result<(), Failure> {
    let server = RunningServer::start(token).await?;
    eprintln!("server listening on {}", server.address);
    calls(server.address, token).await?;
    let mut client = connect(server.address, Some(token)).await?;
    cancel_a_call(&mut client, &server.log).await?;
    server.stop().await
}
// ANCHOR_END: tour

fn row(kind: &str, call: &str, result: impl std::fmt::Display) {
    println!("{kind:<14} {call:<28} -> {result}");
}

fn list(numbers: &[u64]) -> String {
    let texts: Vec<String> = numbers.iter().map(u64::to_string).collect();
    texts.join(" ")
}

/// Every call a client alone can check.
async fn calls(address: SocketAddr, token: &str) -> Result<(), Failure> {
    let mut client = connect(address, Some(token)).await?;

    // ANCHOR: four_kinds
    let verdict = client::is_prime(&mut client, 97).await?;
    row(
        "unary",
        "IsPrime(97)",
        if verdict { "prime" } else { "composite" },
    );
    let primes = client::primes_below(&mut client, 30).await?;
    row("server stream", "PrimesBelow(30)", list(&primes));
    let total = client::sum(&mut client, (1..=100).collect()).await?;
    row("client stream", "Sum(1..=100)", total);
    let totals = client::running_totals(&mut client, &[1, 2, 3, 4, 5]).await?;
    row("bidirectional", "RunningTotal(1 2 3 4 5)", list(&totals));
    // ANCHOR_END: four_kinds

    // ANCHOR: failures
    let step = Duration::from_millis(100);
    let late =
        client::work(&mut client, 20, step, Some(Duration::from_millis(250)))
            .await;
    row(
        "deadline",
        "Work(20 × 100 ms), 250 ms",
        expect_failure(late)?,
    );
    row(
        "status",
        "IsPrime(1)",
        expect_failure(client::is_prime(&mut client, 1).await)?,
    );
    let too_many = client::primes_below(&mut client, 2_000_000).await;
    row("status", "PrimesBelow(2000000)", expect_failure(too_many)?);
    let too_long = client::work(&mut client, 10_000, step, None).await;
    row("status", "Work(10000 × 100 ms)", expect_failure(too_long)?);
    for (kind, token) in [("no token", None), ("wrong token", Some("guess"))] {
        let mut stranger = connect(address, token).await?;
        let refused = client::is_prime(&mut stranger, 97).await;
        row(kind, "IsPrime(97)", expect_failure(refused)?);
    }
    // ANCHOR_END: failures
    Ok(())
}

/// The tour expects these calls to fail; a success means the server is not
/// doing its job.
fn expect_failure<T: std::fmt::Debug>(
    result: Result<T, tonic::Status>,
) -> Result<String, Failure> {
    match result {
        Err(status) => Ok(describe(&status)),
        Ok(value) => {
            Err(format!("expected a failed call, got {value:?}").into())
        }
    }
}

// ANCHOR: cancel
/// Starts a two-second `Work` call and drops it after 100 ms; the server must
/// notice, drop its handler, and do no further steps.
async fn cancel_a_call(
    client: &mut Client,
    log: &WorkLog,
) -> Result<(), Failure> {
    let step = Duration::from_millis(10);
    let call = client::work(client, 200, step, None);
    if timeout(Duration::from_millis(100), call).await.is_ok() {
        return Err("the call finished before it could be cancelled".into());
    }
    // Dropping the call's future reset its HTTP/2 stream; wait (bounded) for
    // the server.
    let noticed_by = Instant::now() + Duration::from_secs(5);
    while log.dropped() == 0 {
        if Instant::now() > noticed_by {
            return Err(
                "the server's handler was still running 5 s after the cancel"
                    .into(),
            );
        }
        sleep(Duration::from_millis(5)).await;
    }
    let steps = log.steps();
    sleep(step * 10).await;
    if log.steps() != steps {
        return Err(
            "the server kept working after the call was cancelled".into()
        );
    }
    row(
        "cancel",
        "Work(200 × 10 ms), dropped",
        "server dropped its handler; no step after that",
    );
    Ok(())
}
// ANCHOR_END: cancel

/// `work`: one long call, its result printed.
async fn long_work(address: SocketAddr, token: &str) -> Result<(), Failure> {
    let mut client = connect(address, Some(token)).await?;
    let step = Duration::from_millis(100);
    let done = client::work(&mut client, 200, step, None).await;
    println!("{}", done.map_err(|status| describe(&status))?);
    Ok(())
}

/// `serve`: print the address (the caller reads it), then serve until the time
/// is up.
async fn serve_for(token: &str, time: Duration) -> Result<(), Failure> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    println!("listening on {}", listener.local_addr()?);
    std::io::stdout().flush()?;
    serve(listener, NumbersService::default(), token, sleep(time)).await
}
