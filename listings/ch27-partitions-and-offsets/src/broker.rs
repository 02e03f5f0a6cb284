//! A real Kafka-protocol broker for one run: `tansu`, started on 127.0.0.1 on a
//! free port with in-memory storage, and killed when the guard is dropped,
//! however the run ends.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use book_helpers::server::{NotListening, wait_until_listening};

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
        let address = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let url = format!("tcp://{address}");
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
            address: address.to_string(),
        };
        match wait_until_listening(&mut broker.process, address, STARTUP_LIMIT)
        {
            Ok(()) => {}
            Err(why @ NotListening::Exited(_)) => {
                let port = address.port();
                bail!("tansu did not start: {why}; is port {port} taken?")
            }
            Err(why) => bail!("tansu did not listen on {address}: {why}"),
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
