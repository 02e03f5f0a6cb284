//! Chapter 26's pipeline on the prime count: a ventilator PUSHes blocks over
//! TCP, worker processes PULL them and PUSH counts, and a sink PULLs the counts.

use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use ch26_zeromq_patterns::transport::{bind, receive};

use crate::crew::{Crew, PATIENCE, exit_when_parent_hangs_up};
use crate::{blocks, count_primes_in};

/// The argument that makes the listing's binary a ZeroMQ worker; the two
/// endpoints follow it.
pub const ZEROMQ_WORKER: &str = "--zeromq-worker";

// ANCHOR: zeromq
/// The ventilator and the sink, in this process; `workers` worker processes
/// in between. Everything binds 127.0.0.1 on a port the kernel picks.
pub fn zeromq(program: &Path, limit: u64, workers: usize) -> Result<u64> {
    let context = zmq::Context::new();
    let ventilator = context.socket(zmq::PUSH)?;
    let blocks_at = bind(&ventilator, "tcp://127.0.0.1:*")?;
    let sink = context.socket(zmq::PULL)?;
    let counts_at = bind(&sink, "tcp://127.0.0.1:*")?;
    let mut crew = Crew::start(
        program,
        workers,
        &[ZEROMQ_WORKER, &blocks_at, &counts_at],
    )?;
    // Every worker says hello before the first block goes out: PUSH deals
    // round robin over the workers connected at that moment.
    for _ in 0..workers {
        next_message(&sink, &mut crew, "a worker's hello", PATIENCE)?;
    }
    ventilator.set_sndtimeo(millis(PATIENCE))?;
    let total = thread::scope(|scope| -> Result<u64> {
        // The ventilator sends on its own thread while this one sinks, so a
        // full queue on one side never waits for the other.
        let sending = scope.spawn(move || -> Result<usize> {
            let mut sent = 0;
            for block in blocks(limit) {
                let job = format!("{} {}", block.start, block.end);
                ventilator
                    .send(&job, 0)
                    .context("a worker stopped taking")?;
                sent += 1;
            }
            Ok(sent)
        });
        let expected = blocks(limit).count();
        let mut total = 0;
        for _ in 0..expected {
            total += next_message(&sink, &mut crew, "a count", PATIENCE)?
                .parse::<u64>()?;
        }
        let sent =
            sending.join().map_err(|_| anyhow!("ventilator panicked"))?;
        debug_assert_eq!(sent?, expected);
        Ok(total)
    })?;
    crew.finish()?;
    Ok(total)
}

/// A worker: says hello, then turns each block it pulls into a count it
/// pushes, until its parent closes its stdin.
pub fn zeromq_worker(blocks_at: &str, counts_at: &str) -> Result<()> {
    exit_when_parent_hangs_up();
    let context = zmq::Context::new();
    let jobs = context.socket(zmq::PULL)?;
    jobs.connect(blocks_at)?;
    let counts = context.socket(zmq::PUSH)?;
    counts.connect(counts_at)?;
    counts.set_sndtimeo(millis(PATIENCE))?;
    counts.send("hello", 0).context("no sink")?;
    loop {
        let job = receive(&jobs, PATIENCE, "block")?;
        let (first, last) = job.split_once(' ').context("not a block")?;
        let count = count_primes_in(first.parse()?..last.parse()?);
        counts.send(&count.to_string(), 0).context("no sink")?;
    }
}
// ANCHOR_END: zeromq

/// The sink's bounded wait: polls in slices of 50 ms and checks between them
/// that no worker has died, so a dead worker is named at once rather than
/// after `limit`.
fn next_message(
    sink: &zmq::Socket,
    crew: &mut Crew,
    waiting_for: &str,
    limit: Duration,
) -> Result<String> {
    let deadline = Instant::now() + limit;
    while sink.poll(zmq::POLLIN, 50)? == 0 {
        crew.check_alive()?;
        if Instant::now() > deadline {
            bail!("waited {limit:?} for {waiting_for} (a worker hung?)");
        }
    }
    sink.recv_string(0)?
        .map_err(|_| anyhow!("{waiting_for} is not UTF-8"))
}

fn millis(duration: Duration) -> i32 {
    i32::try_from(duration.as_millis()).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sink_gives_up_on_a_silent_crew_at_its_limit() -> Result<()> {
        let context = zmq::Context::new();
        let sink = context.socket(zmq::PULL)?;
        bind(&sink, "tcp://127.0.0.1:*")?;
        // No worker, so none can die: only the limit can end the wait.
        let mut crew = Crew::start(Path::new("no-worker"), 0, &[])?;
        let limit = Duration::from_millis(300);
        let started = Instant::now();
        let outcome = next_message(&sink, &mut crew, "a count", limit);
        let waited = started.elapsed();
        let error = outcome.expect_err("nobody sent anything");
        assert!(error.to_string().starts_with("waited 300ms for a count"));
        assert!(waited >= limit, "gave up after {waited:?}");
        Ok(())
    }

    #[test]
    fn socket_timeouts_are_whole_milliseconds_capped_at_i32() {
        // ZeroMQ reads 0 as "do not wait" and -1 as "wait forever".
        assert_eq!(millis(Duration::from_secs(20)), 20_000);
        assert_eq!(millis(Duration::from_micros(2_999)), 2);
        assert_eq!(millis(Duration::from_secs(u64::from(u32::MAX))), i32::MAX);
    }
}
