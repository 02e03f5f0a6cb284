//! The worker's side: a loop that reads a job, does it, and writes the
//! answer, until the parent says stop.

use std::io::{self, BufReader, BufWriter};

use nix::sys::signal::{Signal, raise};

use crate::frame::{read_frame, write_frame};
use crate::protocol::{Reply, Request, count_primes};

// ANCHOR: worker
pub fn serve() -> io::Result<()> {
    let mut from_parent = BufReader::new(io::stdin().lock());
    let mut to_parent = BufWriter::new(io::stdout().lock());
    loop {
        let job = match read_frame(&mut from_parent)? {
            Some(Request::Work(job)) => job,
            Some(Request::Stop) => return Ok(()),
            // End of file without `Stop`: nobody will ever read an answer.
            None => return Err(gone("without saying stop")),
        };
        if job.hang {
            loop {
                std::thread::park(); // stuck, until the parent kills us
            }
        }
        let primes = if job.crash {
            count_primes(job.start..job.start + (job.end - job.start) / 2);
            raise(Signal::SIGKILL).map_err(io::Error::other)?;
            unreachable!("SIGKILL cannot be caught")
        } else {
            count_primes(job.start..job.end)
        };
        write_frame(&mut to_parent, &Reply { id: job.id, primes }).map_err(
            |error| match error.kind() {
                io::ErrorKind::BrokenPipe => gone("before taking the answer"),
                _ => error,
            },
        )?;
    }
}
// ANCHOR_END: worker

fn gone(when: &str) -> io::Error {
    let pid = std::process::id();
    io::Error::other(format!("worker {pid}: the parent went away {when}"))
}
