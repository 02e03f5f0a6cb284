//! The same echo server on tokio: the event loop is the runtime's, each client
//! a task.

use std::io;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio::time;

use crate::{IDLE_LIMIT, SERVE_LIMIT, Served};

/// How one connection ended.
struct Finished {
    bytes_echoed: u64,
    closed_idle: bool,
    most_unsent: usize,
}

// ANCHOR: serve
/// Serves `expected` connections on a current-thread runtime: one thread, as
/// before.
pub fn serve(
    listener: std::net::TcpListener,
    expected: usize,
) -> io::Result<Served> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()?;
    runtime.block_on(async {
        listener.set_nonblocking(true)?;
        let listener = TcpListener::from_std(listener)?;
        let mut clients = JoinSet::new();
        for _ in 0..expected {
            let (stream, _) = time::timeout(SERVE_LIMIT, listener.accept())
                .await
                .map_err(|_| {
                    io::Error::new(
                        io::ErrorKind::TimedOut,
                        "clients never came",
                    )
                })??;
            clients.spawn(echo(stream));
        }
        let mut served = Served {
            connections: expected,
            ..Served::default()
        };
        while let Some(finished) = clients.join_next().await {
            let finished = finished.map_err(io::Error::other)?;
            served.bytes_echoed += finished.bytes_echoed;
            served.closed_idle += usize::from(finished.closed_idle);
            served.most_unsent = served.most_unsent.max(finished.most_unsent);
        }
        Ok(served)
    })
}

/// One client: read, write back, until it closes, stays silent for
/// `IDLE_LIMIT`, or reads nothing of its echo for as long. A read waits for
/// the write before it, so the server holds one buffer per client at most:
/// the `MAX_UNSENT` limit of the hand-written loop, for free.
async fn echo(mut stream: TcpStream) -> Finished {
    let mut buffer = [0; 4096];
    let mut finished = Finished {
        bytes_echoed: 0,
        closed_idle: false,
        most_unsent: 0,
    };
    loop {
        // The idle timer is a timeout around the read; no timer heap of our
        // own.
        let n = match time::timeout(IDLE_LIMIT, stream.read(&mut buffer)).await
        {
            Err(_) => {
                finished.closed_idle = true;
                return finished;
            }
            Ok(Ok(0)) | Ok(Err(_)) => return finished,
            Ok(Ok(n)) => n,
        };
        finished.most_unsent = finished.most_unsent.max(n);
        match time::timeout(IDLE_LIMIT, stream.write_all(&buffer[..n])).await {
            Err(_) => {
                finished.closed_idle = true;
                return finished;
            }
            Ok(Err(_)) => return finished,
            Ok(Ok(())) => {}
        }
        finished.bytes_echoed += n as u64;
    }
}
// ANCHOR_END: serve
