//! Where sockets meet. A pattern does not care whether its peers are threads,
//! processes or other hosts; only the address changes, and this module makes
//! that address.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};

/// How peers reach each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Transport {
    /// Threads of one process sharing a `zmq::Context`: no system calls, no
    /// copies.
    Inproc,
    /// Processes on one host, through a Unix-domain socket file.
    Ipc,
    /// Anything that can reach 127.0.0.1, processes on other hosts included.
    Tcp,
}

impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Transport::Inproc => "inproc",
            Transport::Ipc => "ipc",
            Transport::Tcp => "tcp",
        })
    }
}

/// The addresses one run binds, and the folder its `ipc://` socket files live
/// in, which is removed when the run is over.
pub struct Rendezvous {
    transport: Transport,
    folder: Option<PathBuf>,
}

impl Rendezvous {
    pub fn new(transport: Transport) -> Result<Self> {
        static RUNS: AtomicUsize = AtomicUsize::new(0);
        let folder = if transport == Transport::Ipc {
            // One folder per run: two runs in one process (the tests) never
            // share a file.
            let run = RUNS.fetch_add(1, Ordering::Relaxed);
            let folder = std::env::temp_dir()
                .join(format!("ch26-zeromq-{}-{run}", std::process::id()));
            std::fs::create_dir_all(&folder).with_context(|| {
                format!("cannot create {}", folder.display())
            })?;
            Some(folder)
        } else {
            None
        };
        Ok(Self { transport, folder })
    }

    /// The address to bind the socket called `name` on. For tcp it is a
    /// wildcard port on the loopback interface, which the operating system
    /// picks when `bind` runs.
    pub fn address(&self, name: &str) -> String {
        match (self.transport, &self.folder) {
            (Transport::Inproc, _) => format!("inproc://{name}"),
            (Transport::Ipc, Some(folder)) => {
                format!("ipc://{}/{name}", folder.display())
            }
            (Transport::Ipc, None) => {
                unreachable!("an ipc rendezvous always has a folder")
            }
            (Transport::Tcp, _) => "tcp://127.0.0.1:*".to_string(),
        }
    }
}

impl Drop for Rendezvous {
    fn drop(&mut self) {
        if let Some(folder) = &self.folder {
            // The socket files are gone with their sockets; what is left is the
            // folder.
            let _ = std::fs::remove_dir_all(folder);
        }
    }
}

// ANCHOR: bind
/// Binds `socket` to `address` and returns the endpoint it really got: for
/// `tcp://127.0.0.1:*` that names the port, which the peers need to connect.
pub fn bind(socket: &zmq::Socket, address: &str) -> Result<String> {
    socket
        .bind(address)
        .with_context(|| format!("cannot bind {address}"))?;
    socket
        .get_last_endpoint()?
        .map_err(|_| anyhow!("the endpoint bound for {address} is not UTF-8"))
}
// ANCHOR_END: bind

/// Receives one message as text, waiting at most `limit`: a peer that died must
/// end the run with an error, not leave it waiting forever.
pub fn receive(
    socket: &zmq::Socket,
    limit: Duration,
    waiting_for: &str,
) -> Result<String> {
    let millis = i64::try_from(limit.as_millis()).unwrap_or(i64::MAX);
    if socket.poll(zmq::POLLIN, millis)? == 0 {
        bail!(
            "no {waiting_for} within {} (a peer died?)",
            book_helpers::format_duration(limit)
        );
    }
    socket
        .recv_string(0)?
        .map_err(|_| anyhow!("{waiting_for} is not UTF-8"))
}
