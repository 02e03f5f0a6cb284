//! The service and its clients in one process: HTTP calls, WebSocket watchers
//! that talk and listen, one watcher that vanishes, and a shutdown that closes
//! every connection.

use std::error::Error;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use book_helpers::cli;

use ch12_http_and_websocket::client::{self, ClientError, Watcher};
use ch12_http_and_websocket::serve;
use clap::Parser;
use hyper::Method;
use tokio::net::TcpListener;
use tokio::time;
use tokio_util::sync::CancellationToken;

/// Starts an HTTP and WebSocket service on 127.0.0.1 (GET /health, POST /jobs,
/// GET /ws) and, by default, drives it with in-process clients and shuts it
/// down.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// WebSocket watchers in the demo (2 to 20).
    #[arg(long, default_value_t = 3,
          value_parser = clap::value_parser!(u8).range(2..=20))]
    watchers: u8,
    /// Events that may wait for the slowest watcher before it is cut off (1 to
    /// 65536).
    #[arg(long, default_value_t = 256,
          value_parser = clap::value_parser!(u32).range(1..=65536))]
    backlog: u32,
    /// Run only the server, for this many seconds (1 to 3600) or until Ctrl-C,
    /// printing its address, so that other programs can connect to it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=3600))]
    serve_for: Option<u64>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.serve_for {
        Some(seconds) => {
            serve_only(args.backlog as usize, Duration::from_secs(seconds))
                .await
        }
        None => demo(usize::from(args.watchers), args.backlog as usize).await,
    };
    cli::exit_code(result)
}

async fn serve_only(
    backlog: usize,
    duration: Duration,
) -> Result<(), Box<dyn Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    println!("listening on http://{}", listener.local_addr()?);
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        tokio::select! {
            () = time::sleep(duration) => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        stop.cancel();
    });
    let served = serve(listener, backlog, shutdown).await?;
    println!(
        "stopped: {} events published, {} watchers served",
        served.published, served.watchers
    );
    Ok(())
}

// ANCHOR: demo
async fn demo(watchers: usize, backlog: usize) -> Result<(), Box<dyn Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let server_address = listener.local_addr()?;
    // The port changes every run, so it goes to the log, not the output.
    eprintln!("listening on http://{server_address}");
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(serve(listener, backlog, shutdown.clone()));

    let reply =
        client::call(server_address, Method::GET, "/health", None).await?;
    println!("GET /health -> {} {}", reply.status.as_u16(), reply.body);
    let mut room = Vec::new();
    for _ in 0..watchers {
        room.push(Watcher::join(server_address).await?);
    }
    let names: Vec<&str> =
        room.iter().map(|watcher| watcher.name.as_str()).collect();
    println!("joined over WebSocket: {}", names.join(", "));
    let job = r#"{"name":"resize photos"}"#;
    let reply =
        client::call(server_address, Method::POST, "/jobs", Some(job.into()))
            .await?;
    println!(
        "POST /jobs {job} -> {} {}",
        reply.status.as_u16(),
        reply.body
    );

    // Each watcher speaks in turn and waits to hear itself, so the order is the
    // same every run.
    for watcher in &mut room {
        let line = format!("hello from {}", watcher.name);
        watcher.say(&line).await?;
        while watcher.next_event().await?.text != line {}
    }
    let total = 1 + watchers;
    for watcher in &mut room {
        watcher.receive_until(total).await?;
    }
    println!(
        "every watcher received the same {total} events, once each, in order:"
    );
    for event in &room[0].received {
        println!("  #{} {}: {}", event.seq, event.from, event.text);
    }
    if room
        .iter()
        .any(|watcher| watcher.received != room[0].received)
    {
        return Err("the watchers saw different events".into());
    }

    let vanished = room.remove(1);
    let vanished_name = vanished.name.clone();
    // No close frame: to the server, this is a client that was killed.
    drop(vanished);
    wait_for_watchers(server_address, watchers - 1).await?;
    println!(
        "{vanished_name} vanished; the server noticed and the others carry on"
    );
    let accepted = client::submit_job(server_address, "send invoices").await?;
    println!(
        "POST /jobs -> job {} announced to {} watchers",
        accepted.job, accepted.announced_to
    );
    for watcher in &mut room {
        watcher.receive_until(total + 1).await?;
    }

    shutdown.cancel();
    for mut watcher in room {
        let name = watcher.name.clone();
        match watcher.next_event().await {
            Err(ClientError::ClosedByServer { code, reason }) => {
                println!("{name} told: {code} {reason}")
            }
            Err(error) => return Err(format!("{name}: {error}").into()),
            Ok(event) => {
                return Err(
                    format!("{name}: expected a close, got {event:?}").into()
                );
            }
        }
    }
    let served = server.await??;
    println!(
        "server stopped: {} events published, {} watchers served",
        served.published, served.watchers
    );
    match client::health(server_address).await {
        Err(error) => println!("after the shutdown: {error}"),
        Ok(health) => {
            return Err(format!("the server still answers: {health:?}").into());
        }
    }
    Ok(())
}
// ANCHOR_END: demo

/// Polls `/health` until the server counts `watchers` watchers (for at most the
/// client's deadline): a vanished client is noticed when the server next reads
/// its socket.
async fn wait_for_watchers(
    server: SocketAddr,
    watchers: usize,
) -> Result<(), Box<dyn Error>> {
    for _ in 0..1000 {
        if client::health(server).await?.watchers == watchers {
            return Ok(());
        }
        time::sleep(Duration::from_millis(10)).await;
    }
    Err(format!("the server never counted {watchers} watchers").into())
}
