//! The comparison's figures change every run; what must hold: both frameworks
//! made every call at every concurrency, the code sizes are the real files'
//! sizes, and the tarpc service keeps its promises (answers, refusals,
//! deadlines, dead peers).

use std::net::TcpListener;
use std::sync::atomic::Ordering;
use std::time::Duration;

use book_helpers::cli::{self, assert_help_mentions, assert_refused};
use book_helpers::finishes_within;
use ch28_grpc_tonic::is_prime;
use ch29_tarpc_vs_grpc::service::{NumbersServer, Refused, connect, start};
use ch29_tarpc_vs_grpc::{SOURCES, code_lines};
use tarpc::client::RpcError;
use tarpc::context;
use tokio::task::JoinSet;

const BINARY: &str = env!("CARGO_BIN_EXE_ch29-tarpc-vs-grpc");
const LIMIT: Duration = Duration::from_secs(120);

fn runtime(workers: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("a runtime")
}

#[test]
fn both_frameworks_make_every_call_and_the_line_counts_are_the_files() {
    let ran = finishes_within(LIMIT, || {
        cli::run(
            BINARY,
            &["--concurrency", "1,5", "--calls", "200", "--rounds", "2"],
        )
    });
    assert!(ran.succeeded(), "{}", ran.stderr);
    for source in &SOURCES {
        let row = format!("{} ", source.path);
        let line = ran
            .stdout
            .lines()
            .find(|line| line.contains(&row))
            .unwrap_or_else(|| panic!("no row for {}", source.path));
        let counted: usize = line
            .split_whitespace()
            .last()
            .and_then(|n| n.parse().ok())
            .expect("a count");
        assert_eq!(counted, code_lines(source.text), "{line}");
    }
    for framework in ["gRPC", "tarpc"] {
        let rows = ran.rows_starting_with(&format!("{framework} "));
        let load_rows: Vec<Vec<&str>> = rows
            .iter()
            .map(|row| row.split_whitespace().collect::<Vec<_>>())
            // framework, concurrency, calls, req/s, slowest, –, fastest,
            // p50 and its unit, p99 and its unit
            .filter(|fields| fields.len() == 11)
            .collect();
        assert_eq!(load_rows.len(), 2, "{}", ran.stdout);
        for (fields, concurrency) in load_rows.iter().zip(["1", "5"]) {
            assert_eq!(fields[1], concurrency);
            assert_eq!(fields[2], "200", "every call made");
        }
    }
    assert_eq!(ran.stdout.matches("tarpc served").count(), 2);
    let header = ran
        .stdout
        .lines()
        .find(|line| line.starts_with("machine: "))
        .expect("a machine header");
    assert!(
        header.contains(" cores), load ") && header.contains(" at end"),
        "{header}"
    );
}

#[test]
fn stress_concurrent_tarpc_calls_match_the_sequential_answers() {
    finishes_within(LIMIT, || {
        for round in 0..30_u64 {
            runtime(1 + (round % 3) as usize).block_on(async {
                let (address, server) =
                    start(NumbersServer::default()).await.expect("a server");
                let mut callers = JoinSet::new();
                for caller in 0..(1 + round % 8) {
                    callers.spawn(async move {
                        let client = connect(address).await.expect("connects");
                        let n = 40 + round * 5 + caller * 11;
                        let numbers: Vec<u64> = (1..=n).collect();
                        let sum = client
                            .sum(context::current(), numbers)
                            .await
                            .expect("a reply");
                        assert_eq!(sum, Ok(n * (n + 1) / 2));
                        let primes = client
                            .primes_below(context::current(), n)
                            .await
                            .expect("a reply");
                        assert_eq!(
                            primes,
                            Ok((0..n).filter(|&k| is_prime(k)).collect())
                        );
                        let verdict = client
                            .is_prime(context::current(), n)
                            .await
                            .expect("a reply");
                        assert_eq!(verdict, Ok(is_prime(n)));
                    });
                }
                while let Some(caller) = callers.join_next().await {
                    caller.expect("no caller panicked");
                }
                server.abort();
            });
        }
    });
}

/// A call context whose deadline is `ms` milliseconds away.
fn due_in(ms: u64) -> context::Context {
    let mut hurried = context::current();
    hurried.deadline = std::time::Instant::now() + Duration::from_millis(ms);
    hurried
}

#[test]
fn refusals_are_ordinary_errors_and_a_deadline_stops_the_work() {
    finishes_within(LIMIT, || {
        runtime(2).block_on(async {
            let server = NumbersServer::default();
            let steps = server.steps.clone();
            let (address, task) = start(server).await.expect("a server");
            let client = connect(address).await.expect("connects");
            let refused = client
                .is_prime(context::current(), 1)
                .await
                .expect("a reply");
            assert!(
                matches!(refused, Err(Refused::InvalidArgument(_))),
                "{refused:?}"
            );
            // The edges are answered: 2 is the first prime, and a limit of
            // exactly a million is allowed (78 498 primes lie below it).
            let two = client.is_prime(context::current(), 2).await;
            assert_eq!(two.expect("a reply"), Ok(true));
            let all = client
                .primes_below(context::current(), 1_000_000)
                .await
                .expect("a reply");
            assert_eq!(all.map(|primes| primes.len()), Ok(78_498));
            // Wrong whatever the server's state: INVALID_ARGUMENT, as in
            // chapter 28, never OUT_OF_RANGE.
            let too_far = client
                .primes_below(context::current(), 1_000_001)
                .await
                .expect("a reply");
            assert!(
                matches!(too_far, Err(Refused::InvalidArgument(_))),
                "{too_far:?}"
            );
            let overflow = client
                .sum(context::current(), vec![u64::MAX, 1])
                .await
                .expect("a reply");
            assert!(
                matches!(overflow, Err(Refused::InvalidArgument(_))),
                "{overflow:?}"
            );
            let refused = client
                .work(context::current(), 10_000, 50)
                .await
                .expect("a reply");
            assert!(
                matches!(refused, Err(Refused::ResourceExhausted(_))),
                "{refused:?}"
            );

            let late = client.work(due_in(60), 100, 10).await;
            assert!(
                matches!(late, Err(RpcError::DeadlineExceeded)),
                "{late:?}"
            );
            // Exactly the most one call may ask for (30 s) is accepted: it
            // runs until the deadline instead of being refused at once.
            let most = client.work(due_in(60), 1, 30_000).await;
            assert!(
                matches!(most, Err(RpcError::DeadlineExceeded)),
                "{most:?}"
            );
            // The server dropped the handler at its deadline: the steps stop growing.
            tokio::time::sleep(Duration::from_millis(50)).await;
            let after = steps.load(Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(100)).await;
            assert_eq!(
                steps.load(Ordering::Relaxed),
                after,
                "no step after the deadline"
            );
            assert!(after < 100);
            task.abort();
        });
    });
}

#[test]
fn a_dropped_call_is_cancelled_on_the_server() {
    finishes_within(LIMIT, || {
        runtime(2).block_on(async {
            let server = NumbersServer::default();
            let steps = server.steps.clone();
            let (address, task) = start(server).await.expect("a server");
            let client = connect(address).await.expect("connects");
            for round in 1..=10_u64 {
                // Ten seconds of work, dropped after a few steps; the client stays connected.
                let call = client.work(context::current(), 1000, 10);
                let patience = Duration::from_millis(20 + round * 7);
                assert!(tokio::time::timeout(patience, call).await.is_err());
                // Time for the cancel message to reach the server, then a window to watch.
                tokio::time::sleep(Duration::from_millis(200)).await;
                let after = steps.load(Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(100)).await;
                assert_eq!(
                    steps.load(Ordering::Relaxed),
                    after,
                    "round {round}: no step after the cancel"
                );
            }
            // The same connection still answers.
            let verdict = client
                .is_prime(context::current(), 97)
                .await
                .expect("a reply");
            assert_eq!(verdict, Ok(true));
            task.abort();
        });
    });
}

#[test]
fn a_dead_server_is_a_clear_error_and_a_dead_client_costs_nothing() {
    finishes_within(LIMIT, || {
        runtime(2).block_on(async {
            let free = TcpListener::bind("127.0.0.1:0")
                .and_then(|listener| listener.local_addr())
                .expect("a free port");
            let Err(error) = connect(free).await else {
                panic!("nobody listens there");
            };
            assert!(
                error.starts_with("cannot reach a tarpc server at"),
                "{error}"
            );

            let (address, task) =
                start(NumbersServer::default()).await.expect("a server");
            // A client that starts a long call and vanishes with its connection.
            let quitter = connect(address).await.expect("connects");
            let call = quitter.work(context::current(), 1000, 10);
            assert!(
                tokio::time::timeout(Duration::from_millis(50), call)
                    .await
                    .is_err()
            );
            drop(quitter);
            // A raw connection that sends garbage and hangs up.
            let mut raw = tokio::net::TcpStream::connect(address)
                .await
                .expect("connects");
            tokio::io::AsyncWriteExt::write_all(
                &mut raw,
                b"\x00\x00\x00\x05hello",
            )
            .await
            .expect("writes");
            drop(raw);
            let client = connect(address).await.expect("connects");
            let verdict = client
                .is_prime(context::current(), 97)
                .await
                .expect("a reply");
            assert_eq!(verdict, Ok(true));
            task.abort();
        });
    });
}

#[test]
fn help_and_bad_arguments() {
    finishes_within(LIMIT, || {
        assert_help_mentions(BINARY, &["--concurrency", "--calls"]);
        assert_refused(
            BINARY,
            &[
                &["--concurrency", "0"],
                &["--calls", "0"],
                &["--calls", "many"],
                &["--bogus"],
            ],
        );
    });
}

/// Whether TCP_NODELAY is set on each connected TCP socket of this process
/// that has `port` at one end, read back from the kernel: the server's
/// accepted sockets (`port` is theirs) and the clients' (`port` is their
/// peer's).
fn nodelay_at_port(port: u16) -> (Vec<bool>, Vec<bool>) {
    use nix::sys::socket::{
        SockaddrIn, getpeername, getsockname, getsockopt, sockopt,
    };
    use std::os::fd::{BorrowedFd, RawFd};
    let (mut server, mut client) = (Vec::new(), Vec::new());
    for entry in std::fs::read_dir("/proc/self/fd").expect("/proc") {
        let Some(fd) = entry.ok().and_then(|entry| {
            entry.file_name().to_str()?.parse::<RawFd>().ok()
        }) else {
            continue;
        };
        let (Ok(local), Ok(peer)) =
            (getsockname::<SockaddrIn>(fd), getpeername::<SockaddrIn>(fd))
        else {
            continue;
        };
        // SAFETY: the descriptor was open when listed, and the borrow ends
        // in this iteration; a descriptor closed meanwhile is an error.
        let socket = unsafe { BorrowedFd::borrow_raw(fd) };
        let Ok(nodelay) = getsockopt(&socket, sockopt::TcpNoDelay) else {
            continue;
        };
        if local.port() == port {
            server.push(nodelay);
        } else if peer.port() == port {
            client.push(nodelay);
        }
    }
    (server, client)
}

#[test]
fn both_frameworks_set_tcp_nodelay_on_both_ends_unless_told_not_to() {
    use ch28_grpc_tonic::client::connect_with as grpc_connect;
    use ch28_grpc_tonic::server::RunningServer;
    use ch29_tarpc_vs_grpc::service::{Nagle, connect_with, start_with};
    finishes_within(LIMIT, || {
        runtime(2).block_on(async {
            for nagle in [Nagle::Off, Nagle::On] {
                let nodelay = nagle == Nagle::Off;
                let grpc = RunningServer::start_with(None, nagle)
                    .await
                    .expect("a gRPC server");
                let mut client = grpc_connect(grpc.address, None, nagle)
                    .await
                    .expect("connects");
                ch28_grpc_tonic::client::is_prime(&mut client, 97)
                    .await
                    .expect("an answer");
                assert_eq!(
                    nodelay_at_port(grpc.address.port()),
                    (vec![nodelay], vec![nodelay]),
                    "gRPC server and client, {nagle:?}"
                );
                drop(client);
                grpc.stop().await.expect("a clean stop");

                let (address, task) =
                    start_with(NumbersServer::default(), nagle)
                        .await
                        .expect("a tarpc server");
                let client =
                    connect_with(address, nagle).await.expect("connects");
                client
                    .is_prime(context::current(), 97)
                    .await
                    .expect("an answer")
                    .expect("prime");
                assert_eq!(
                    nodelay_at_port(address.port()),
                    (vec![nodelay], vec![nodelay]),
                    "tarpc server and client, {nagle:?}"
                );
                task.abort();
            }
        });
    });
}
