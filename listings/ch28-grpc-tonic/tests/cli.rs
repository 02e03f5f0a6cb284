//! The program as a reader runs it: the tour, `--help`, bad arguments, a dead
//! server and a client that dies halfway through a call.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

use book_helpers::cli::{self, assert_help_mentions, assert_refused};
use book_helpers::finishes_within;
use ch28_grpc_tonic::client::{self, connect};

const BINARY: &str = env!("CARGO_BIN_EXE_ch28-grpc-tonic");
const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn the_tour_shows_every_kind_of_call_and_failure() {
    let ran = finishes_within(LIMIT, || cli::run(BINARY, &["tour"]));
    assert!(ran.succeeded(), "{}", ran.stderr);
    for expected in [
        "-> prime",
        "-> 2 3 5 7 11 13 17 19 23 29",
        "-> 5050",
        "-> 1 3 6 10 15",
        "-> DeadlineExceeded:",
        "-> InvalidArgument: 1 is neither",
        "-> InvalidArgument: limit above",
        "-> ResourceExhausted:",
        "-> Unauthenticated: no token",
        "-> Unauthenticated: wrong token",
        "server dropped its handler; no step after that",
    ] {
        assert!(ran.stdout.contains(expected), "{expected}:\n{}", ran.stdout);
    }
}

#[test]
fn help_and_bad_arguments() {
    finishes_within(LIMIT, || {
        assert_help_mentions(BINARY, &["tour", "serve", "call"]);
        assert_refused(
            BINARY,
            &[
                &["--bogus"],
                &["call"],
                &["call", "--addr", "localhost"],
                &["serve", "--seconds", "0"],
                &["serve", "--seconds", "601"],
            ],
        );
    });
}

#[test]
fn a_dead_server_is_a_clear_error_not_a_hang() {
    // A port that was just free and has no listener any more.
    let address = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port");
    let ran = finishes_within(LIMIT, move || {
        cli::run(BINARY, &["call", "--addr", &address.to_string()])
    });
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("cannot reach a gRPC server at"),
        "{}",
        ran.stderr
    );
    // tonic's own message is only "transport error"; the system's reason
    // comes from the error's chain of causes.
    assert!(ran.stderr.contains("Connection refused"), "{}", ran.stderr);
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
}

/// A `serve` process, killed when the test ends however it ends.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server() -> (Server, SocketAddr) {
    let mut child = Command::new(BINARY)
        .args(["serve", "--seconds", "60"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the server prints its address");
    let address = line
        .trim()
        .strip_prefix("listening on ")
        .and_then(|address| address.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    (server, address)
}

#[test]
fn the_server_survives_clients_that_die_halfway() {
    finishes_within(LIMIT, || {
        let (_server, address) = start_server();

        // A client that sends half of the HTTP/2 greeting and hangs up.
        let mut half = TcpStream::connect(address).expect("connects");
        half.write_all(b"PRI * HTTP/2.0\r\n").expect("writes");
        drop(half);

        // A gRPC client that starts streaming numbers and dies mid-stream.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let mut quitter = connect(address, Some("open-sesame"))
                .await
                .expect("connects");
            let endless = tokio_stream::iter(
                (0..).map(|value| ch28_grpc_tonic::pb::Number { value }),
            );
            let call = quitter.sum(endless);
            assert!(
                tokio::time::timeout(Duration::from_millis(200), call)
                    .await
                    .is_err(),
                "an endless stream cannot be summed"
            );
            drop(quitter);

            // The server still answers a well-behaved client.
            let mut client = connect(address, Some("open-sesame"))
                .await
                .expect("connects");
            assert_eq!(
                client::sum(&mut client, vec![1, 2, 3])
                    .await
                    .expect("a sum"),
                6
            );
        });

        // And a whole client process.
        let ran = cli::run(BINARY, &["call", "--addr", &address.to_string()]);
        assert!(ran.succeeded(), "{}", ran.stderr);
        assert!(ran.stdout.contains("-> 5050"), "{}", ran.stdout);
    });
}

/// A client process, killed when the test ends however it ends (SIGKILL ends
/// a stopped process too).
struct Client(std::process::Child);

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn signal(client: &Client, name: &str) {
    let sent = Command::new("kill")
        .args([name, &client.0.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success(), "kill {name}");
}

#[test]
fn a_client_that_stops_answering_releases_its_handler_within_the_keepalive() {
    use ch28_grpc_tonic::server::{
        KEEPALIVE_INTERVAL, KEEPALIVE_TIMEOUT, RunningServer,
    };
    finishes_within(LIMIT, || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let server =
                RunningServer::start("open-sesame").await.expect("a server");
            let address = server.address.to_string();
            let client = Client(
                Command::new(BINARY)
                    .args(["work", "--addr", &address])
                    .stdout(Stdio::null())
                    .spawn()
                    .expect("the client starts"),
            );
            let log = &server.log;
            let started = std::time::Instant::now();
            while log.steps() == 0 {
                assert!(started.elapsed() < Duration::from_secs(20), "no step");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            // The client's process stops: its socket stays open, the kernel
            // still acknowledges every segment, but nobody answers a PING.
            signal(&client, "-STOP");
            let stopped = std::time::Instant::now();
            let bound = KEEPALIVE_INTERVAL + KEEPALIVE_TIMEOUT;
            while log.dropped() == 0 {
                assert!(
                    stopped.elapsed() < bound + Duration::from_secs(3),
                    "the handler still runs {:?} after its client stopped \
                     ({} steps done)",
                    stopped.elapsed(),
                    log.steps()
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let steps = log.steps();
            tokio::time::sleep(Duration::from_millis(300)).await;
            assert_eq!(log.steps(), steps, "no step after the handler ended");
            assert_eq!(log.finished(), 0);
            drop(client);
            server.stop().await.expect("a clean stop");
        });
    });
}
