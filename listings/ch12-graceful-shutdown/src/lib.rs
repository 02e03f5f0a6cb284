//! A server that stops cleanly: told to shut down, it stops accepting, lets
//! every request it already accepted finish, and only then returns.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::time;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// How long a client may take to send its request before the server gives up on
/// it.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(5);

/// How long the accept loop waits after an error that is not one client's,
/// such as running out of file descriptors, before it tries again.
pub const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// What the server counted; shared so the caller can watch it while it runs.
///
/// The counts publish no other data, so `Relaxed` is enough (chapter 7): no
/// increment is lost under any ordering, a watcher reading them mid-run gets
/// a recent value either way, and a caller that reads them after awaiting
/// `serve` is ordered after every increment by that await.
#[derive(Debug, Default)]
pub struct Counters {
    pub accepted: AtomicUsize,
    pub answered: AtomicUsize,
}

impl Counters {
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::Relaxed)
    }
    pub fn answered(&self) -> usize {
        self.answered.load(Ordering::Relaxed)
    }
}

/// Whether a failed `accept` concerns only the connection being taken (the
/// client reset or aborted it first), so the next `accept` may well succeed.
/// Any other error — out of file descriptors (`EMFILE`, `ENFILE`), out of
/// memory — would fail again at once, and retrying it in a tight loop would
/// spin a core while nothing changes.
pub fn is_one_clients_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
    )
}

// ANCHOR: serve
/// Accepts connections until `shutdown` is cancelled, then drains: every
/// accepted request is answered before this returns.
pub async fn serve(
    listener: TcpListener,
    shutdown: CancellationToken,
    work: Duration,
    counters: Arc<Counters>,
) {
    let in_flight = TaskTracker::new();
    loop {
        tokio::select! {
            // Check the token first, so a cancelled server takes no further
            // connection.
            biased;
            () = shutdown.cancelled() => break,
            // `accept` is cancellation safe: if the other branch wins, no
            // connection is lost; it stays in the kernel's queue.
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(error) if is_one_clients_error(&error) => continue,
                    Err(_) => {
                        // Back off, still listening for the shutdown.
                        tokio::select! {
                            () = shutdown.cancelled() => break,
                            () = time::sleep(ACCEPT_BACKOFF) => continue,
                        }
                    }
                };
                counters.accepted.fetch_add(1, Ordering::Relaxed);
                let counters = Arc::clone(&counters);
                in_flight.spawn(async move {
                    if answer(stream, work).await.is_ok() {
                        counters.answered.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
        }
    }
    // Closing the listener makes the kernel refuse new connections from here
    // on.
    drop(listener);
    in_flight.close();
    in_flight.wait().await;
}
// ANCHOR_END: serve

// ANCHOR: answer
/// Reads one request line, works on it, writes the answer.
async fn answer(stream: TcpStream, work: Duration) -> io::Result<()> {
    let mut stream = BufReader::new(stream);
    let mut request = String::new();
    // A deadline on the read: a client that never speaks cannot hold the drain
    // up.
    let read = time::timeout(REQUEST_DEADLINE, stream.read_line(&mut request))
        .await
        .map_err(|_| {
            io::Error::new(io::ErrorKind::TimedOut, "no request in time")
        })??;
    if read == 0 {
        // The client left before asking anything: there is nobody to answer.
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    time::sleep(work).await; // The request's work; shutdown does not interrupt it.
    let reply = format!("done: {}\n", request.trim_end());
    stream.get_mut().write_all(reply.as_bytes()).await
}
// ANCHOR_END: answer

/// How one client's request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The server answered the request.
    Answered,
    /// The server was no longer accepting: the connection was refused, or
    /// closed before the server took the request from the kernel's queue.
    Refused,
}

// ANCHOR: client
/// Sends one request and waits for the answer. An error means a garbled answer
/// or a connection the server neither answered nor closed.
pub async fn request(server: SocketAddr, id: usize) -> io::Result<Outcome> {
    let Ok(stream) = TcpStream::connect(server).await else {
        return Ok(Outcome::Refused);
    };
    let mut stream = BufReader::new(stream);
    // A send that fails shows in the read below as a connection closed or
    // reset: a server cannot answer a request it never read whole.
    let _ = stream
        .get_mut()
        .write_all(format!("request {id}\n").as_bytes())
        .await;
    let mut reply = String::new();
    let read =
        time::timeout(Duration::from_secs(20), stream.read_line(&mut reply))
            .await;
    match read
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no answer"))?
    {
        // Closed or reset unanswered: the listener was gone before it took the
        // request. (Whether the server answered everything it took is
        // counted on its side.)
        Ok(0) | Err(_) => Ok(Outcome::Refused),
        Ok(_) if reply == format!("done: request {id}\n") => {
            Ok(Outcome::Answered)
        }
        Ok(_) => Err(io::Error::other(format!("wrong answer {reply:?}"))),
    }
}
// ANCHOR_END: client
