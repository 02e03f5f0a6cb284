//! Clients that talk to an echo server and check every byte that comes back.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use crate::Served;

/// What the clients saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    /// Messages sent and echoed back unchanged.
    pub echoed: usize,
    /// Idle clients whose connection the server closed.
    pub closed_on_idle: usize,
}

/// Starts `serve` in a thread of its own on a free port of 127.0.0.1,
/// expecting `talkers + idle` clients, runs the clients of [`run`] against it,
/// and returns what the server and the clients saw. The tests drive both
/// servers of the chapter, and its exercise's check the reader's, through it.
pub fn against(
    serve: impl FnOnce(TcpListener, usize) -> io::Result<Served> + Send + 'static,
    talkers: usize,
    messages: usize,
    idle: usize,
) -> io::Result<(Served, Seen)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let address = listener.local_addr()?;
    let server = thread::spawn(move || serve(listener, talkers + idle));
    let seen = run(address, talkers, messages, idle)?;
    let served = server
        .join()
        .map_err(|_| io::Error::other("the server panicked"))??;
    Ok((served, seen))
}

// ANCHOR: clients
/// Starts `clients` talkative clients that each send `messages` lines and read
/// every one back, plus `idle` clients that connect and say nothing; waits for
/// all of them.
pub fn run(
    server: SocketAddr,
    clients: usize,
    messages: usize,
    idle: usize,
) -> io::Result<Seen> {
    let talkers: Vec<_> = (0..clients)
        .map(|client| thread::spawn(move || talk(server, client, messages)))
        .chain((0..idle).map(|_| thread::spawn(move || stay_silent(server))))
        .collect();
    let mut seen = Seen::default();
    for (index, talker) in talkers.into_iter().enumerate() {
        let count = talker.join().expect("a client thread panicked")?;
        if index < clients {
            seen.echoed += count;
        } else {
            seen.closed_on_idle += count;
        }
    }
    Ok(seen)
}
// ANCHOR_END: clients

/// Sends each message, reads it back, and checks it is the same bytes.
fn talk(
    server: SocketAddr,
    client: usize,
    messages: usize,
) -> io::Result<usize> {
    let mut stream = TcpStream::connect(server)?;
    // A server that stops answering fails the client instead of hanging it.
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    for message in 0..messages {
        let line = format!("client {client} says {message}\n");
        stream
            .write_all(line.as_bytes())
            .map_err(|error| lost(message, error))?;
        let mut echoed = vec![0; line.len()];
        stream
            .read_exact(&mut echoed)
            .map_err(|error| lost(message, error))?;
        if echoed != line.as_bytes() {
            return Err(io::Error::other(format!("wrong echo for {line:?}")));
        }
    }
    Ok(messages)
}

/// Says which message the conversation broke at and why, so a dead or stuck
/// server reads as one in the error instead of as a bare I/O failure.
fn lost(message: usize, error: io::Error) -> io::Error {
    let what = match error.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
            "stopped answering"
        }
        _ => "closed the connection",
    };
    let text = format!("the server {what} at message {message}: {error}");
    io::Error::new(error.kind(), text)
}

/// Connects and waits; returns 1 once the server has closed the connection.
fn stay_silent(server: SocketAddr) -> io::Result<usize> {
    let mut stream = TcpStream::connect(server)?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    let mut byte = [0; 1];
    match stream.read(&mut byte)? {
        0 => Ok(1),
        _ => Err(io::Error::other("an echo server sent something unasked")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_that_stops_answering_is_told_from_one_that_closed() {
        for (kind, what) in [
            (io::ErrorKind::WouldBlock, "stopped answering"),
            (io::ErrorKind::TimedOut, "stopped answering"),
            (io::ErrorKind::UnexpectedEof, "closed the connection"),
            (io::ErrorKind::ConnectionReset, "closed the connection"),
        ] {
            let error = lost(7, io::Error::from(kind));
            assert_eq!(error.kind(), kind);
            let text = error.to_string();
            assert!(
                text.starts_with(&format!("the server {what} at message 7: ")),
                "{text}"
            );
        }
    }
}
