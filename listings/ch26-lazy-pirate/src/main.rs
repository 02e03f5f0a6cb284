//! The lazy pirate: a REQ client that does not trust its server. It waits a
//! bounded time for each reply; on silence it throws its socket away, opens a
//! new one and asks again (and only then: a socket that got its replies is
//! kept); after a fixed number of tries it gives up with an error. The server
//! here is a child process that crashes on purpose and that a supervisor
//! restarts.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use book_helpers::{cli, format_duration};
use clap::{Parser, Subcommand};

/// A client that retries through a server crash, and gives up if the server
/// stays dead.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Requests to make (1 to 1000).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=1_000))]
    requests: u64,
    /// The server crashes when it receives this request (0: never).
    #[arg(long, default_value_t = 4)]
    crash_at: u64,
    /// Milliseconds to wait for each reply (10 to 10000).
    #[arg(long, default_value_t = 250, value_parser = clap::value_parser!(u64).range(10..=10_000))]
    timeout_ms: u64,
    /// Tries per request before giving up (1 to 10).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=10))]
    tries: u32,
    /// Milliseconds before the supervisor restarts a crashed server (0 to
    /// 10000).
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(0..=10_000))]
    restart_after_ms: u64,
    /// Leave a crashed server dead: the client must give up.
    #[arg(long)]
    no_restart: bool,
    #[command(subcommand)]
    role: Option<Role>,
}

#[derive(Subcommand)]
enum Role {
    /// Serve squares (the supervisor starts this).
    #[command(hide = true)]
    Server {
        #[arg(long)]
        endpoint: String,
        #[arg(long, default_value_t = 0)]
        crash_at: u64,
    },
}

/// A server that hears nothing for this long assumes it was forgotten and
/// exits.
const IDLE_LIMIT: Duration = Duration::from_secs(10);

fn main() -> ExitCode {
    let args = Args::parse();
    cli::exit_code(match &args.role {
        Some(Role::Server { endpoint, crash_at }) => serve(endpoint, *crash_at),
        None => client_against_a_crashing_server(&args),
    })
}

// ANCHOR: server
/// Binds `endpoint`, prints the endpoint it got, and answers numbers with their
/// squares; on request `crash_at` it dies without answering.
fn serve(endpoint: &str, crash_at: u64) -> Result<()> {
    let context = zmq::Context::new();
    let server = context.socket(zmq::REP)?;
    server
        .bind(endpoint)
        .with_context(|| format!("cannot bind {endpoint}"))?;
    let bound = server
        .get_last_endpoint()?
        .map_err(|_| anyhow!("endpoint not UTF-8"))?;
    println!("{bound}");
    while server.poll(zmq::POLLIN, IDLE_LIMIT.as_millis().try_into()?)? > 0 {
        let request: u64 = server
            .recv_string(0)?
            .map_err(|_| anyhow!("not UTF-8"))?
            .parse()?;
        if request == crash_at {
            std::process::exit(3); // a crash: no reply, no clean-up
        }
        server.send(&(request * request).to_string(), 0)?;
    }
    Ok(())
}
// ANCHOR_END: server

// ANCHOR: lazy_pirate
/// A REQ client that does not trust its server. It keeps one socket while the
/// server answers; a REQ socket that got no reply is stuck (it may not send
/// again), so only after a silent try does it close that socket — linger 0
/// drops what it still held — and open a fresh one for the next try.
struct Pirate<'a> {
    context: &'a zmq::Context,
    endpoint: String,
    socket: Option<zmq::Socket>,
    /// Sockets opened so far: one, plus one per failed try.
    opened: u32,
}

impl<'a> Pirate<'a> {
    fn new(context: &'a zmq::Context, endpoint: &str) -> Self {
        let endpoint = endpoint.to_string();
        let (socket, opened) = (None, 0);
        Self {
            context,
            endpoint,
            socket,
            opened,
        }
    }

    /// Sends `request` and waits up to `timeout` for the reply, at most `tries`
    /// times; returns the reply and the number of the try that got it.
    fn ask(
        &mut self,
        request: &str,
        timeout: Duration,
        tries: u32,
    ) -> Result<(String, u32)> {
        let millis = i32::try_from(timeout.as_millis())?;
        for attempt in 1..=tries {
            let socket = match self.socket.take() {
                Some(socket) => socket,
                None => {
                    let socket = self.context.socket(zmq::REQ)?;
                    socket.set_linger(0)?;
                    socket.set_sndtimeo(millis)?;
                    socket.connect(&self.endpoint)?;
                    self.opened += 1;
                    socket
                }
            };
            socket.send(request, 0)?;
            if socket.poll(zmq::POLLIN, millis.into())? > 0 {
                let reply =
                    socket.recv_string(0)?.map_err(|_| anyhow!("not UTF-8"))?;
                self.socket = Some(socket); // it served: keep it
                return Ok((reply, attempt));
            }
            println!(
                "  request {request}: no reply within {}, \
                 try {attempt} of {tries} failed",
                format_duration(timeout)
            );
            // `socket` is dropped here: closed, and the next try opens another.
        }
        bail!(
            "no reply from {} to request {request} after {tries} tries \
             of {} each; is the server running?",
            self.endpoint,
            format_duration(timeout)
        )
    }
}
// ANCHOR_END: lazy_pirate

/// The server process and the thread that restarts it when it dies.
struct Supervisor {
    server: Arc<Mutex<Child>>,
    stop: Arc<AtomicBool>,
    restarts: Arc<AtomicU32>,
    watcher: Option<thread::JoinHandle<()>>,
}

impl Supervisor {
    /// Starts the server (set to crash at `crash_at`) and returns it with its
    /// endpoint.
    fn start(
        crash_at: u64,
        restart_after: Option<Duration>,
    ) -> Result<(Self, String)> {
        let (first, endpoint) = start_server("tcp://127.0.0.1:*", crash_at)?;
        let server = Arc::new(Mutex::new(first));
        let stop = Arc::new(AtomicBool::new(false));
        let restarts = Arc::new(AtomicU32::new(0));
        let watcher = restart_after.map(|pause| {
            let (server, stop, restarts, endpoint) = (
                server.clone(),
                stop.clone(),
                restarts.clone(),
                endpoint.clone(),
            );
            thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    thread::sleep(Duration::from_millis(5));
                    let mut child = server.lock().expect("no panic holds the lock");
                    if matches!(child.try_wait(), Ok(Some(_))) {
                        thread::sleep(pause);
                        // The same port again; the restarted server does not
                        // crash.
                        match start_server(&endpoint, 0) {
                            Ok((restarted, _)) => *child = restarted,
                            Err(error) => {
                                eprintln!("error: cannot restart the server: {error:#}");
                                return;
                            }
                        }
                        restarts.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        });
        let supervisor = Self {
            server,
            stop,
            restarts,
            watcher,
        };
        Ok((supervisor, endpoint))
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(watcher) = self.watcher.take() {
            let _ = watcher.join();
        }
        // Whatever happened, no server outlives the client.
        let mut child = self.server.lock().expect("no panic holds the lock");
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Starts this program as a server bound to `endpoint` and reads back where it
/// bound.
fn start_server(endpoint: &str, crash_at: u64) -> Result<(Child, String)> {
    let program =
        std::env::current_exe().context("cannot find this program")?;
    let mut child = Command::new(program)
        .args([
            "server",
            "--endpoint",
            endpoint,
            "--crash-at",
            &crash_at.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start the server")?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut bound = String::new();
    BufReader::new(stdout).read_line(&mut bound)?;
    if bound.trim().is_empty() {
        let status = child.wait()?;
        bail!("the server did not start on {endpoint} ({status})");
    }
    Ok((child, bound.trim().to_string()))
}

// ANCHOR: main
fn client_against_a_crashing_server(args: &Args) -> Result<()> {
    let restart_after = (!args.no_restart)
        .then(|| Duration::from_millis(args.restart_after_ms));
    let (supervisor, endpoint) =
        Supervisor::start(args.crash_at, restart_after)?;
    println!(
        "server at {endpoint}, set to crash on request {}",
        args.crash_at
    );
    let context = zmq::Context::new();
    let mut pirate = Pirate::new(&context, &endpoint);
    let timeout = Duration::from_millis(args.timeout_ms);
    let mut retried = 0;
    for n in 1..=args.requests {
        let (reply, tries) = pirate.ask(&n.to_string(), timeout, args.tries)?;
        if reply != (n * n).to_string() {
            bail!("asked for {n}², got {reply}");
        }
        println!("  request {n}: {reply} (try {tries})");
        retried += u64::from(tries > 1);
    }
    println!(
        "{} requests, all answered; {retried} needed a retry; \
         {} socket(s) opened; server restarted {} time(s)",
        args.requests,
        pirate.opened,
        supervisor.restarts.load(Ordering::Relaxed)
    );
    Ok(())
}
// ANCHOR_END: main
