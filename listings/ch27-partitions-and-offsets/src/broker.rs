//! A real Kafka-protocol broker for one run: `tansu`, started on 127.0.0.1 on a
//! free port with in-memory storage, and killed when the guard is dropped,
//! however the run ends.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};

/// How long the broker may take to accept connections.
const STARTUP_LIMIT: Duration = Duration::from_secs(30);

// ANCHOR: guard
/// A running broker; dropping it kills the process.
pub struct Broker {
    process: Child,
    /// `127.0.0.1:<port>`, what clients bootstrap from.
    pub address: String,
}

impl Broker {
    /// Starts `tansu` on a free loopback port and waits (bounded) until it
    /// listens.
    pub fn start() -> Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let url = format!("tcp://127.0.0.1:{port}");
        let process = Command::new(tansu_program()?)
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
            ])
            .args([
                "--storage-engine",
                "memory://tansu/",
                "--cluster-id",
                "ch27",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start tansu")?;
        let mut broker = Broker {
            process,
            address: format!("127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + STARTUP_LIMIT;
        while TcpStream::connect(&broker.address).is_err() {
            if let Some(status) = broker.process.try_wait()? {
                bail!(
                    "tansu exited at start-up ({status}); is port {port} taken?"
                );
            }
            if Instant::now() > deadline {
                bail!(
                    "tansu did not listen on {} within {STARTUP_LIMIT:?}",
                    broker.address
                );
            }
            thread::sleep(Duration::from_millis(20));
        }
        Ok(broker)
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}
// ANCHOR_END: guard

/// `tansu` from PATH, else from the folder `cargo xtask setup` installs it
/// into; if it is in neither, an error that says how to get it.
fn tansu_program() -> Result<PathBuf> {
    book_helpers::tools::program("tansu", book_helpers::tools::TANSU_BIN_DIR)
        .context(
            "the Kafka-protocol broker `tansu` is not installed: run `cargo xtask setup`, \
             which builds tansu 0.6.0 into ~/.cache/concurrency-is-structure/tansu-0.6.0/bin",
        )
}
