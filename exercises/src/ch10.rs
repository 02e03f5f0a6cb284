//! Chapter 10's exercise: a thread per client.
//!
//! Write `serve_with_threads`: the chapter's echo server the way the event
//! loop replaces, with blocking sockets and one thread per connection, so
//! that the listing's clients can be pointed at both and the two compared.
//! Check it with `cargo exercise ch10`.

use std::io;
use std::net::TcpListener;
use std::time::Duration;

use ch10_event_loop::Served;

/// Accepts `expected` connections and echoes each on a thread of its own,
/// with blocking reads and writes; closes a connection whose client says
/// nothing for `idle`. Returns once every connection is closed, with
/// `most_unsent` the largest single read.
pub fn serve_with_threads(
    listener: TcpListener,
    expected: usize,
    idle: Duration,
) -> io::Result<Served> {
    // Your code here: `std::thread::scope`, and
    // `TcpStream::set_read_timeout` for the idle limit (a read that times
    // out fails with `WouldBlock` or `TimedOut`, depending on the system).
    todo!()
}
