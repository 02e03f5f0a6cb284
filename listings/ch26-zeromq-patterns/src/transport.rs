//! Where sockets meet. A pattern does not care whether its peers are threads,
//! processes or other hosts; only the address changes, and this module makes
//! that address.

use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use tempfile::TempDir;

/// How peers reach each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Transport {
    /// Threads of one process sharing a `zmq::Context`: messages pass through
    /// memory between the threads, with no I/O thread involved
    /// (zmq_inproc(7)); a reader asleep on an empty queue is still woken
    /// through a file descriptor.
    Inproc,
    /// Processes on one host, through a Unix-domain socket file.
    Ipc,
    /// Anything that can reach 127.0.0.1, processes on other hosts included.
    Tcp,
}

/// A context for sockets that use `transport`. One for `inproc://` only starts
/// no I/O thread at all: libzmq's I/O threads serve `ipc://` and `tcp://`
/// connections, and inproc needs none (zmq_ctx_set(3), `ZMQ_IO_THREADS`).
pub fn context_for(transport: Transport) -> Result<zmq::Context> {
    let context = zmq::Context::new();
    if transport == Transport::Inproc {
        context.set_io_threads(0)?;
    }
    Ok(context)
}

/// A socket of `kind` whose sends wait at most `limit`: a send that would block
/// — a full queue, or no peer to queue for — fails with `EAGAIN` instead of
/// waiting forever for a peer that died.
pub fn socket(
    context: &zmq::Context,
    kind: zmq::SocketType,
    limit: Duration,
) -> Result<zmq::Socket> {
    let socket = context.socket(kind)?;
    socket.set_sndtimeo(millis(limit))?;
    Ok(socket)
}

fn millis(limit: Duration) -> i32 {
    i32::try_from(limit.as_millis()).unwrap_or(i32::MAX)
}

/// Sends `message`, naming `what` it was in the error if the socket's send
/// time-out (see [`socket`]) ran out first.
pub fn send(socket: &zmq::Socket, message: &str, what: &str) -> Result<()> {
    match socket.send(message, 0) {
        Ok(()) => Ok(()),
        Err(zmq::Error::EAGAIN) => {
            let limit = u64::try_from(socket.get_sndtimeo()?).unwrap_or(0);
            bail!(
                "could not send the {what} within {} (no peer took it: one died?)",
                book_helpers::format_duration(Duration::from_millis(limit))
            )
        }
        Err(error) => {
            Err(error).with_context(|| format!("cannot send the {what}"))
        }
    }
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
    /// One folder per run, of a name no other run has: two runs in one
    /// process (the tests) never share a file.
    folder: Option<TempDir>,
}

impl Rendezvous {
    pub fn new(transport: Transport) -> Result<Self> {
        let folder = if transport == Transport::Ipc {
            let folder = tempfile::Builder::new()
                .prefix("ch26-zeromq-")
                .tempdir()
                .context("cannot create a folder for ipc:// sockets")?;
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
                format!("ipc://{}/{name}", folder.path().display())
            }
            (Transport::Ipc, None) => {
                unreachable!("an ipc rendezvous always has a folder")
            }
            (Transport::Tcp, _) => "tcp://127.0.0.1:*".to_string(),
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
