//! An echo server on one thread, written as a mio event loop and as tokio
//! tasks.

use std::io;
use std::net::TcpListener;
use std::process::ExitCode;
use std::thread;

use book_helpers::{cli, format_duration};
use ch10_event_loop::{IDLE_LIMIT, Served, clients, reactor, tokio_echo};
use clap::Parser;

/// Runs an echo server on a single thread, first as a hand-written event loop
/// on mio, then as tasks on a current-thread tokio runtime, against the same
/// crowd of clients.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Talkative clients, each on its own thread (1 to 500).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u16).range(1..=500))]
    clients: u16,
    /// Lines each talkative client sends and reads back (1 to 10000).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=10_000))]
    messages: u16,
}

type Server = fn(TcpListener, usize) -> io::Result<Served>;

fn main() -> ExitCode {
    let args = Args::parse();
    let servers: [(&str, Server); 2] = [
        ("mio event loop", reactor::serve),
        ("tokio, current-thread", tokio_echo::serve),
    ];
    println!(
        "idle clients are closed after {}\n",
        format_duration(IDLE_LIMIT)
    );
    for (name, serve) in servers {
        if let Err(error) = run_one(name, serve, &args) {
            return cli::exit_code(Err(format!("{name}: {error}")));
        }
    }
    ExitCode::SUCCESS
}

// ANCHOR: main
fn run_one(name: &str, serve: Server, args: &Args) -> io::Result<()> {
    let (talkers, messages, idle) =
        (usize::from(args.clients), usize::from(args.messages), 2);
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let address = listener.local_addr()?;
    // The port changes every run, so it goes to stderr and the shown output
    // stays stable.
    eprintln!("{name}: listening on {address}");
    // The whole server is this one thread.
    let server = thread::spawn(move || serve(listener, talkers + idle));
    let seen = clients::run(address, talkers, messages, idle);
    let served = server.join().expect("the server thread panicked")?;
    let seen = seen?;

    println!("{name} (1 server thread)");
    println!("  connections served:    {}", served.connections);
    println!(
        "  lines echoed intact:   {} of {}",
        seen.echoed,
        talkers * messages
    );
    println!("  bytes echoed:          {}", served.bytes_echoed);
    println!(
        "  silent clients closed: {} of {idle}\n",
        served.closed_idle
    );
    Ok(())
}
// ANCHOR_END: main
