//! A small reactor: one thread, one `mio::Poll`, sockets and timers
//! multiplexed.
//!
//! This is the shape of the JavaScript event loop, of Boost.Asio's `io_context`
//! and of tokio's own driver: ask the kernel which sockets are ready, wait no
//! longer than the next timer, handle what is ready, repeat.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::io::{self, ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};

use crate::{IDLE_LIMIT, MAX_UNSENT, SERVE_LIMIT, Served};

const LISTENER: Token = Token(0);

/// One client's connection and the bytes still owed to it.
struct Connection {
    stream: TcpStream,
    unsent: Vec<u8>,
    /// When the client last sent something; the idle timer compares against
    /// it.
    last_heard: Instant,
}

// ANCHOR: event_loop
/// Serves `expected` connections as an echo server, all on the calling thread,
/// and returns once every one of them is closed, or fails after `limit`.
pub fn serve_within(
    listener: std::net::TcpListener,
    expected: usize,
    limit: Duration,
) -> io::Result<Served> {
    listener.set_nonblocking(true)?;
    let mut listener = TcpListener::from_std(listener);
    let mut poll = Poll::new()?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;

    let mut connections: HashMap<Token, Connection> = HashMap::new();
    // Idle timers, earliest first: (when it fires, which connection).
    let mut timers: BinaryHeap<Reverse<(Instant, Token)>> = BinaryHeap::new();
    let mut events = Events::with_capacity(256);
    let mut served = Served::default();
    let give_up = Instant::now() + limit;

    while served.connections < expected || !connections.is_empty() {
        let now = Instant::now();
        if now > give_up {
            return Err(io::Error::new(
                ErrorKind::TimedOut,
                "clients never finished",
            ));
        }
        // Sleep in the kernel until a socket is ready or the earliest timer is
        // due, and never past the time to give up (a client that never comes
        // would otherwise leave the loop asleep with no timer to wake it).
        let wake = timers
            .peek()
            .map_or(give_up, |Reverse((at, _))| (*at).min(give_up));
        let timeout = wake.saturating_duration_since(now);
        match poll.poll(&mut events, Some(timeout)) {
            Err(error) if error.kind() == ErrorKind::Interrupted => continue,
            result => result?,
        }
        for event in &events {
            if event.token() == LISTENER {
                accept_all(
                    &poll,
                    &mut listener,
                    &mut connections,
                    &mut timers,
                    &mut served,
                )?;
            } else if let Some(connection) = connections.get_mut(&event.token())
                && !echo(connection, &poll, event.token(), &mut served)?
            {
                connections.remove(&event.token());
            }
        }
        fire_due_timers(&mut timers, &mut connections, &mut served);
    }
    Ok(served)
}
// ANCHOR_END: event_loop

/// [`serve_within`] the server's usual limit, `SERVE_LIMIT`.
pub fn serve(
    listener: std::net::TcpListener,
    expected: usize,
) -> io::Result<Served> {
    serve_within(listener, expected, SERVE_LIMIT)
}

/// Accepts every connection waiting on the listener (readiness says "one or
/// more").
fn accept_all(
    poll: &Poll,
    listener: &mut TcpListener,
    connections: &mut HashMap<Token, Connection>,
    timers: &mut BinaryHeap<Reverse<(Instant, Token)>>,
    served: &mut Served,
) -> io::Result<()> {
    loop {
        let (mut stream, _) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(error) if error.kind() == ErrorKind::WouldBlock => {
                return Ok(());
            }
            Err(error) => return Err(error),
        };
        served.connections += 1;
        // Token 0 is the listener, so connection n gets token n.
        let token = Token(served.connections);
        poll.registry()
            .register(&mut stream, token, Interest::READABLE)?;
        let now = Instant::now();
        timers.push(Reverse((now + IDLE_LIMIT, token)));
        let connection = Connection {
            stream,
            unsent: Vec::new(),
            last_heard: now,
        };
        connections.insert(token, connection);
    }
}

// ANCHOR: echo
/// Reads what the client sent, up to `MAX_UNSENT` bytes not yet written
/// back, and writes it back, as far as the socket allows without blocking.
/// Returns `false` when the connection is finished.
fn echo(
    connection: &mut Connection,
    poll: &Poll,
    token: Token,
    served: &mut Served,
) -> io::Result<bool> {
    let mut buffer = [0; 4096];
    let mut open = true;
    while connection.unsent.len() < MAX_UNSENT {
        let room = buffer.len().min(MAX_UNSENT - connection.unsent.len());
        match connection.stream.read(&mut buffer[..room]) {
            Ok(0) => {
                open = false; // The client closed its side.
                break;
            }
            Ok(n) => {
                connection.unsent.extend_from_slice(&buffer[..n]);
                connection.last_heard = Instant::now();
            }
            Err(error) if error.kind() == ErrorKind::WouldBlock => break,
            Err(error) if error.kind() == ErrorKind::Interrupted => continue,
            // A client that vanished mid-conversation ends its connection, not
            // the server.
            Err(_) => return Ok(false),
        }
    }
    served.most_unsent = served.most_unsent.max(connection.unsent.len());
    while !connection.unsent.is_empty() {
        match connection.stream.write(&connection.unsent) {
            Ok(n) => {
                served.bytes_echoed += n as u64;
                connection.unsent.drain(..n);
            }
            Err(error) if error.kind() == ErrorKind::WouldBlock => break,
            Err(error) if error.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return Ok(false),
        }
    }
    // Ask to hear about writability only while there is something left to
    // send, and about readability only while there is room to read into: a
    // client that does not read its echo stops being read from. (Moving the
    // interest back re-arms it, and a socket that became readable meanwhile
    // is reported at once.)
    let interest = if connection.unsent.is_empty() {
        Interest::READABLE
    } else if connection.unsent.len() < MAX_UNSENT {
        Interest::READABLE | Interest::WRITABLE
    } else {
        Interest::WRITABLE
    };
    poll.registry()
        .reregister(&mut connection.stream, token, interest)?;
    Ok(open || !connection.unsent.is_empty())
}
// ANCHOR_END: echo

// ANCHOR: timers
/// Closes connections whose client has been silent for `IDLE_LIMIT`; re-arms
/// the timer of any connection that spoke since its timer was set.
fn fire_due_timers(
    timers: &mut BinaryHeap<Reverse<(Instant, Token)>>,
    connections: &mut HashMap<Token, Connection>,
    served: &mut Served,
) {
    let now = Instant::now();
    while let Some(&Reverse((at, token))) = timers.peek() {
        if at > now {
            break;
        }
        timers.pop();
        let Some(connection) = connections.get(&token) else {
            continue; // Already closed: a stale timer.
        };
        let deadline = connection.last_heard + IDLE_LIMIT;
        if deadline <= now {
            connections.remove(&token); // Dropping the stream closes the socket.
            served.closed_idle += 1;
        } else {
            timers.push(Reverse((deadline, token)));
        }
    }
}
// ANCHOR_END: timers
