//! Chapter 10's exercise, solved: a thread per client.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use ch10_event_loop::Served;

// ANCHOR: threads
/// One thread per connection: its state is the thread's local variables,
/// and the kernel's scheduler plays the event loop.
pub fn serve_with_threads(
    listener: TcpListener,
    expected: usize,
    idle: Duration,
) -> io::Result<Served> {
    thread::scope(|scope| {
        let mut clients = Vec::with_capacity(expected);
        for _ in 0..expected {
            let (stream, _) = listener.accept()?;
            clients.push(scope.spawn(move || echo(stream, idle)));
        }
        let mut served = Served::default();
        for client in clients {
            let one = client.join().expect("a client's thread panicked")?;
            served.connections += 1;
            served.bytes_echoed += one.bytes_echoed;
            served.closed_idle += one.closed_idle;
            served.most_unsent = served.most_unsent.max(one.most_unsent);
        }
        Ok(served)
    })
}

/// How a read that timed out fails: `WouldBlock` on Unix, `TimedOut` on
/// Windows.
const SILENT: [ErrorKind; 2] = [ErrorKind::WouldBlock, ErrorKind::TimedOut];

/// Reads and writes back until the client closes, vanishes, or is silent
/// for `idle`: the idle timer is the socket's own read timeout.
fn echo(mut stream: TcpStream, idle: Duration) -> io::Result<Served> {
    stream.set_read_timeout(Some(idle))?;
    stream.set_write_timeout(Some(idle))?;
    let mut buffer = [0; 4096];
    let mut served = Served::default();
    loop {
        let n = match stream.read(&mut buffer) {
            Ok(0) => return Ok(served),
            Ok(n) => n,
            Err(e) if SILENT.contains(&e.kind()) => {
                served.closed_idle = 1;
                return Ok(served); // dropping the stream closes it
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return Ok(served), // the client vanished
        };
        served.most_unsent = served.most_unsent.max(n);
        if stream.write_all(&buffer[..n]).is_err() {
            return Ok(served);
        }
        served.bytes_echoed += n as u64;
    }
}
// ANCHOR_END: threads
