//! The same two-party exchange over four transports: a crossbeam channel
//! between threads, ZeroMQ inproc between threads, ZeroMQ ipc and tcp between
//! processes. Each is timed one way (a stream of messages) and both ways
//! (ping-pong).

use std::process::{Command, ExitCode, Stdio};
use std::thread;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use book_helpers::measure::{Machine, Summary, interleaved_reports};
use book_helpers::{cli, format_speedup, timed};
use ch26_zeromq_patterns::transport::{
    Rendezvous, Transport, bind, context_for, receive, send, socket,
};
use clap::{Parser, Subcommand};
use crossbeam_channel::bounded;

/// Times one-way messages and round trips over a channel and three ZeroMQ
/// transports.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Messages sent one way (1 to 10000000).
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    messages: u64,
    /// Round trips (1 to 1000000).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    round_trips: u64,
    /// Bytes in each message (1 to 65536).
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=65_536))]
    size: u32,
    #[command(subcommand)]
    role: Option<Role>,
}

#[derive(Subcommand)]
enum Role {
    /// The other party, in its own process (the program starts it).
    #[command(hide = true)]
    Peer {
        #[arg(long)]
        endpoint: String,
        #[arg(long)]
        messages: u64,
        #[arg(long)]
        round_trips: u64,
        /// Milliseconds any wait may last before the peer gives up.
        #[arg(long, default_value_t = 30_000)]
        patience_ms: u64,
    },
}

/// How long one side waits for the other before it calls it dead.
const PATIENCE: Duration = Duration::from_secs(30);

/// Every transport runs once to warm up and then this many rounds, the
/// transports taking turns.
const ROUNDS: usize = 5;

/// What one transport measured in one round.
struct Measured {
    one_way: Duration,
    round_trip: Duration,
}

fn main() -> ExitCode {
    let args = Args::parse();
    cli::exit_code(match args.role {
        Some(Role::Peer {
            endpoint,
            messages,
            round_trips,
            patience_ms,
        }) => {
            let patience = Duration::from_millis(patience_ms);
            let context = zmq::Context::new();
            zmq_peer(&context, &endpoint, (messages, round_trips), patience)
        }
        None => compare(&args),
    })
}

fn compare(args: &Args) -> Result<()> {
    let machine = Machine::now();
    let ways = [
        ("crossbeam channel (threads)", None),
        ("zmq inproc (threads)", Some(Transport::Inproc)),
        ("zmq ipc (processes)", Some(Transport::Ipc)),
        ("zmq tcp 127.0.0.1 (processes)", Some(Transport::Tcp)),
    ];
    let mut runs: Vec<_> = ways
        .iter()
        .map(|&(name, transport)| {
            move || {
                match transport {
                    None => over_a_channel(args),
                    Some(transport) => over_zmq(transport, args),
                }
                .with_context(|| format!("over {name}"))
            }
        })
        .collect();
    let mut runs: Vec<&mut dyn FnMut() -> Result<Measured>> = runs
        .iter_mut()
        .map(|run| run as &mut dyn FnMut() -> Result<Measured>)
        .collect();
    let reports = interleaved_reports(ROUNDS, &mut runs)?;

    println!("{}", machine.header());
    println!(
        "{}-byte messages: {} one way, then {} round trips",
        args.size, args.messages, args.round_trips
    );
    println!(
        "{ROUNDS} rounds after a warm-up, the transports in turn; median ±farthest round"
    );
    println!(
        "{:<30} {:>13} {:>11} {:>13} {:>11}",
        "transport", "per message", "vs channel", "round trip", "vs channel"
    );
    let (messages, trips) = (
        u32::try_from(args.messages)?,
        u32::try_from(args.round_trips)?,
    );
    let mut baseline = None;
    for ((name, _), rounds) in ways.iter().zip(reports) {
        let (one_way, round_trip): (Vec<_>, Vec<_>) = rounds
            .iter()
            .map(|round| (round.one_way / messages, round.round_trip / trips))
            .unzip();
        let (one_way, round_trip) =
            (Summary::of(one_way), Summary::of(round_trip));
        let (base_one_way, base_round_trip) =
            *baseline.get_or_insert((one_way.median(), round_trip.median()));
        println!(
            "{name:<30} {:>13} {:>11} {:>13} {:>11}",
            one_way.display_narrow(),
            format_speedup(one_way.median(), base_one_way),
            round_trip.display_narrow(),
            format_speedup(round_trip.median(), base_round_trip)
        );
    }
    println!("(\"vs channel\": how many times slower, from the medians)");
    Ok(())
}

// ANCHOR: channel
/// Two threads and two bounded crossbeam channels: the baseline.
fn over_a_channel(args: &Args) -> Result<Measured> {
    let (to_peer, peer_inbox) = bounded::<Vec<u8>>(1_000);
    let (to_main, inbox) = bounded::<Vec<u8>>(1_000);
    let (messages, round_trips) = (args.messages, args.round_trips);
    let peer = thread::spawn(move || -> Result<()> {
        let mut received = 0_u64;
        for _ in 0..messages {
            received += u64::from(!peer_inbox.recv()?.is_empty());
        }
        to_main.send(received.to_string().into_bytes())?;
        for _ in 0..round_trips {
            to_main.send(peer_inbox.recv()?)?;
        }
        Ok(())
    });
    let payload = vec![7_u8; usize::try_from(args.size)?];
    let (count, one_way) = timed(|| -> Result<Vec<u8>> {
        for _ in 0..messages {
            to_peer.send(payload.clone())?;
        }
        Ok(inbox.recv_timeout(PATIENCE)?)
    });
    check_count(&count?, messages)?;
    let (echoed, round_trip) = timed(|| -> Result<()> {
        for _ in 0..round_trips {
            to_peer.send(payload.clone())?;
            inbox.recv_timeout(PATIENCE)?;
        }
        Ok(())
    });
    echoed?;
    peer.join().expect("the peer thread does not panic")?;
    Ok(Measured {
        one_way,
        round_trip,
    })
}
// ANCHOR_END: channel

// ANCHOR: zmq
/// One DEALER socket at each end (a two-way socket that, unlike PAIR,
/// reconnects over tcp); the peer is a thread for inproc and this program
/// started again for ipc and tcp.
fn over_zmq(transport: Transport, args: &Args) -> Result<Measured> {
    // For inproc, a context without an I/O thread: none is needed.
    let context = context_for(transport)?;
    let rendezvous = Rendezvous::new(transport)?;
    // Sends wait at most PATIENCE for room in the queue.
    let socket = socket(&context, zmq::DEALER, PATIENCE)?;
    socket.set_linger(0)?;
    let endpoint = bind(&socket, &rendezvous.address("pair"))?;
    let (messages, round_trips) = (args.messages, args.round_trips);
    let peer = if transport == Transport::Inproc {
        let (context, endpoint) = (context.clone(), endpoint.clone());
        Peer::Thread(thread::spawn(move || {
            zmq_peer(&context, &endpoint, (messages, round_trips), PATIENCE)
        }))
    } else {
        let program =
            std::env::current_exe().context("cannot find this program")?;
        let child = Command::new(program)
            .args(["peer", "--endpoint", &endpoint])
            .args(["--messages", &messages.to_string()])
            .args(["--round-trips", &round_trips.to_string()])
            .stdin(Stdio::null())
            .spawn()
            .context("cannot start the peer")?;
        Peer::Process(child)
    };
    // The peer says hello first, so connecting is not part of the timing.
    receive(&socket, PATIENCE, "the peer's hello")?;

    let payload = vec![7_u8; usize::try_from(args.size)?];
    let (count, one_way) = timed(|| -> Result<String> {
        for _ in 0..messages {
            send_bytes(&socket, &payload)?;
        }
        receive(&socket, PATIENCE, "the count")
    });
    check_count(count?.as_bytes(), messages)?;
    let (echoed, round_trip) = timed(|| -> Result<()> {
        for _ in 0..round_trips {
            send_bytes(&socket, &payload)?;
            receive_bytes(&socket, PATIENCE)?;
        }
        Ok(())
    });
    echoed?;
    peer.finish()?;
    Ok(Measured {
        one_way,
        round_trip,
    })
}

/// The other end: says hello, counts `messages`, reports the count, echoes
/// `round_trips`. No wait lasts longer than `patience`.
fn zmq_peer(
    context: &zmq::Context,
    endpoint: &str,
    (messages, round_trips): (u64, u64),
    patience: Duration,
) -> Result<()> {
    let socket = socket(context, zmq::DEALER, patience)?;
    // With the default ZMQ_IMMEDIATE=0, `connect` makes a queue at once and
    // the hello would go into it whether or not anyone is there. With 1, the
    // hello waits for a completed connection, at most `patience`, so an
    // orphan peer exits with an error.
    socket.set_immediate(true)?;
    // The last echo gets a second to leave before the process does.
    socket.set_linger(1_000)?;
    socket.connect(endpoint)?;
    send(&socket, "hello", "hello")
        .with_context(|| format!("no one at {endpoint}"))?;
    let mut received = 0_u64;
    for _ in 0..messages {
        received += u64::from(!receive_bytes(&socket, patience)?.is_empty());
    }
    send(&socket, &received.to_string(), "count")?;
    for _ in 0..round_trips {
        let message = receive_bytes(&socket, patience)?;
        send_bytes(&socket, &message)?;
    }
    Ok(())
}
// ANCHOR_END: zmq

/// One message as bytes, waiting at most `patience`.
fn receive_bytes(socket: &zmq::Socket, patience: Duration) -> Result<Vec<u8>> {
    if socket.poll(zmq::POLLIN, patience.as_millis().try_into()?)? == 0 {
        bail!("the other side went silent (it died?)");
    }
    Ok(socket.recv_bytes(0)?)
}

/// Sends `message`; the socket's send time-out bounds the wait for room.
fn send_bytes(socket: &zmq::Socket, message: &[u8]) -> Result<()> {
    match socket.send(message, 0) {
        Err(zmq::Error::EAGAIN) => bail!("the other side stopped reading"),
        sent => Ok(sent?),
    }
}

/// The peer's count must be every message sent: none lost, none doubled.
fn check_count(count: &[u8], sent: u64) -> Result<()> {
    let count: u64 = std::str::from_utf8(count)?.parse()?;
    if count != sent {
        bail!("sent {sent} messages, the peer got {count}");
    }
    Ok(())
}

/// The other end of a ZeroMQ measurement.
enum Peer {
    Thread(thread::JoinHandle<Result<()>>),
    Process(std::process::Child),
}

impl Peer {
    fn finish(self) -> Result<()> {
        match self {
            Peer::Thread(thread) => {
                thread.join().map_err(|_| anyhow!("the peer panicked"))?
            }
            Peer::Process(mut child) => {
                let status = child.wait()?;
                if !status.success() {
                    bail!("the peer process ended with {status}");
                }
                Ok(())
            }
        }
    }
}
