//! Waiting, bounded, for a server process a listing started (a broker, an sshd)
//! to accept connections.

use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ExitStatus};
use std::thread;
use std::time::{Duration, Instant};

/// Why a started server never accepted a connection.
#[derive(Debug)]
pub enum NotListening {
    /// The process ended first, with this status.
    Exited(ExitStatus),
    /// It was still running, and not listening, when the limit was up.
    TimedOut(Duration),
    /// Whether it still runs could not be asked.
    Unknown(io::Error),
}

impl fmt::Display for NotListening {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotListening::Exited(status) => {
                write!(f, "it exited before it listened ({status})")
            }
            NotListening::TimedOut(limit) => {
                write!(f, "it was not listening after {limit:?}")
            }
            NotListening::Unknown(error) => {
                write!(f, "cannot tell whether it still runs: {error}")
            }
        }
    }
}

impl std::error::Error for NotListening {}

/// Tries to connect to `address` every 20 ms until it accepts; gives up after
/// `limit`, or at once when `server` exits, since a process that has ended will
/// not start listening.
pub fn wait_until_listening(
    server: &mut Child,
    address: SocketAddr,
    limit: Duration,
) -> Result<(), NotListening> {
    let give_up = Instant::now() + limit;
    loop {
        // Bounded too: an address inside a network namespace may drop the
        // connection attempt instead of refusing it.
        if TcpStream::connect_timeout(&address, Duration::from_millis(200))
            .is_ok()
        {
            return Ok(());
        }
        match server.try_wait() {
            Ok(Some(status)) => return Err(NotListening::Exited(status)),
            Ok(None) => {}
            Err(error) => return Err(NotListening::Unknown(error)),
        }
        if Instant::now() > give_up {
            return Err(NotListening::TimedOut(limit));
        }
        thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;
    use std::process::Command;

    use super::*;
    use crate::finishes_within;

    /// A loopback address nobody listens on.
    fn nobody_listening() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("an address")
    }

    fn sleeping() -> Child {
        Command::new("sleep").arg("30").spawn().expect("sleep runs")
    }

    #[test]
    fn a_server_that_listens_is_waited_for() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let address = listener.local_addr().expect("an address");
        let mut server = sleeping();
        let waited =
            wait_until_listening(&mut server, address, Duration::from_secs(5));
        server.kill().ok();
        server.wait().ok();
        waited.expect("the listener accepts");
    }

    #[test]
    fn a_server_that_exits_is_reported_at_once_not_after_the_limit() {
        // The limit is longer than the test's own bound: only noticing the exit
        // ends the wait in time.
        let error = finishes_within(Duration::from_secs(20), || {
            let mut server = Command::new("sh")
                .args(["-c", "exit 3"])
                .spawn()
                .expect("sh runs");
            wait_until_listening(
                &mut server,
                nobody_listening(),
                Duration::from_secs(600),
            )
            .expect_err("nothing listens")
        });
        assert!(
            matches!(&error, NotListening::Exited(status) if status.code() == Some(3)),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            "it exited before it listened (exit status: 3)"
        );
    }

    #[test]
    fn a_server_that_runs_but_never_listens_is_given_up_on() {
        let limit = Duration::from_millis(300);
        let error = finishes_within(Duration::from_secs(20), move || {
            let mut server = sleeping();
            let waited =
                wait_until_listening(&mut server, nobody_listening(), limit);
            server.kill().ok();
            server.wait().ok();
            waited.expect_err("nothing listens")
        });
        assert!(
            matches!(error, NotListening::TimedOut(after) if after == limit)
        );
        assert_eq!(error.to_string(), "it was not listening after 300ms");
    }
}
