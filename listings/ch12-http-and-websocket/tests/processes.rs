//! The server as a separate process, the way a reader runs it with
//! `--serve-for`: a client that vanishes is logged and disturbs nobody, and
//! when the server process is killed every client gets a clear error at once
//! instead of hanging.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use ch12_http_and_websocket::client::{self, ClientError, Watcher};

const BINARY: &str = env!("CARGO_BIN_EXE_ch12-http-and-websocket");

/// How long the test waits for any one line from the server.
const LINE_WAIT: Duration = Duration::from_secs(20);

/// The server process; killed when the test ends, however it ends.
struct Server {
    child: Child,
    address: SocketAddr,
    log: Receiver<String>,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(BINARY)
            .args(["--serve-for", "60"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the listing starts");
        let stdout = lines_of(child.stdout.take().expect("piped stdout"));
        let log = lines_of(child.stderr.take().expect("piped stderr"));
        let first = stdout
            .recv_timeout(LINE_WAIT)
            .expect("the server prints its address");
        let address = first
            .strip_prefix("listening on http://")
            .and_then(|address| address.parse().ok())
            .unwrap_or_else(|| panic!("not an address line: {first:?}"));
        Server {
            child,
            address,
            log,
        }
    }

    /// Waits for a log line containing `text`, and returns it.
    fn logged(&self, text: &str) -> String {
        loop {
            let line = self
                .log
                .recv_timeout(LINE_WAIT)
                .unwrap_or_else(|_| panic!("the server never logged {text:?}"));
            if line.contains(text) {
                return line;
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill(); // Already dead in some tests; that is fine.
        let _ = self.child.wait();
    }
}

/// Forwards each line a pipe delivers into a channel, from a thread of its own.
fn lines_of(pipe: impl Read + Send + 'static) -> Receiver<String> {
    let (lines, received) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    received
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

#[test]
fn a_vanished_client_is_logged_and_the_others_carry_on() {
    finishes_within(Duration::from_secs(90), || {
        let server = Server::start();
        let address = server.address;
        let rt = runtime();
        let (mut first, vanishing, mut third) = rt.block_on(async {
            let first = Watcher::join(address).await.expect("joins");
            let second = Watcher::join(address).await.expect("joins");
            let third = Watcher::join(address).await.expect("joins");
            (first, second, third)
        });
        assert_eq!(vanishing.name, "watcher 2");
        // Its socket closes without a close frame, as if it had been killed.
        drop(vanishing);
        let line = server.logged("watcher 2 lost");
        assert!(line.contains("without closing handshake"), "{line}");
        rt.block_on(async {
            let job = client::submit_job(address, "after the loss")
                .await
                .expect("accepted");
            assert_eq!((job.job, job.announced_to), (1, 2));
            for watcher in [&mut first, &mut third] {
                let event =
                    watcher.next_event().await.expect("the event arrives");
                assert_eq!(
                    (event.seq, event.text.as_str()),
                    (1, "after the loss")
                );
            }
        });
    });
}

#[test]
fn a_killed_server_gives_every_client_a_clear_error() {
    finishes_within(Duration::from_secs(90), || {
        let mut server = Server::start();
        let address = server.address;
        let rt = runtime();
        let mut watchers = rt.block_on(async {
            let mut watchers = Vec::new();
            for _ in 0..4 {
                watchers.push(Watcher::join(address).await.expect("joins"));
            }
            client::submit_job(address, "before the crash")
                .await
                .expect("accepted");
            for watcher in &mut watchers {
                watcher.next_event().await.expect("the job's event");
            }
            watchers
        });
        server.child.kill().expect("the server can be killed");
        server.child.wait().expect("the server is reaped");
        rt.block_on(async {
            for watcher in &mut watchers {
                let name = watcher.name.clone();
                // The kernel closed the dead server's sockets: an error now,
                // not a timeout.
                match watcher.next_event().await {
                    Err(error @ ClientError::ServerGone(_)) => {
                        assert!(
                            error
                                .to_string()
                                .starts_with("the server went away"),
                            "{error}"
                        );
                    }
                    other => {
                        panic!("{name}: expected ServerGone, got {other:?}")
                    }
                }
            }
            let error =
                client::health(address).await.expect_err("nobody answers");
            assert!(matches!(error, ClientError::Unreachable(_)), "{error:?}");
        });
    });
}
