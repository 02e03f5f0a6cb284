//! What a blocking call inside a task does to every other task on the same
//! thread.
//!
//! Two tasks share a runtime: a heartbeat that should tick every few
//! milliseconds, and a worker that does a few pieces of slow work. How the
//! worker waits for each piece decides whether the heartbeat keeps its rhythm.

use std::io;
use std::thread;
use std::time::{Duration, Instant};

use tokio::runtime::{Builder, Runtime};
use tokio::sync::oneshot;
use tokio::time::{self, MissedTickBehavior};

/// How often the heartbeat wants to tick.
pub const PERIOD: Duration = Duration::from_millis(10);

/// How long one piece of the worker's slow work takes.
pub const PIECE: Duration = Duration::from_millis(50);

/// How the worker waits for each piece of slow work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// `tokio::time::sleep(..).await`: the task yields its thread while it
    /// waits.
    Await,
    /// `std::thread::sleep(..)` inside the task: a blocking call, like a
    /// synchronous file read or a database driver that is not async.
    BlockInTask,
    /// The same blocking call moved to tokio's blocking pool with
    /// `spawn_blocking`.
    SpawnBlocking,
}

/// What one run observed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// How many ticks the heartbeat made (always the number asked for).
    pub ticks: u32,
    /// The longest time between two consecutive ticks.
    pub longest_gap: Duration,
    /// How many pieces of work the worker finished (always the number asked
    /// for).
    pub pieces_done: u32,
}

// ANCHOR: heartbeat
/// Ticks `ticks` times, every `PERIOD`, and returns the longest gap between two
/// ticks. Says on `started` when the first tick is done.
pub async fn heartbeat(
    ticks: u32,
    started: oneshot::Sender<()>,
) -> (u32, Duration) {
    let mut interval = time::interval(PERIOD);
    // A late tick is not made up for with a burst; the next one is simply a
    // period later.
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    interval.tick().await; // The first tick is immediate.
    let mut last = Instant::now();
    // The receiver is gone only if the run was abandoned; the heartbeat beats
    // regardless.
    let _ = started.send(());
    let mut longest = Duration::ZERO;
    for _ in 1..ticks {
        interval.tick().await;
        let now = Instant::now();
        longest = longest.max(now - last);
        last = now;
    }
    (ticks, longest)
}
// ANCHOR_END: heartbeat

// ANCHOR: worker
/// Does `pieces` pieces of slow work, waiting for each in the given way.
pub async fn worker(pieces: u32, waiting: Waiting) -> u32 {
    for _ in 0..pieces {
        match waiting {
            Waiting::Await => time::sleep(PIECE).await,
            // Nothing here returns to the runtime: its thread is stuck for
            // PIECE.
            Waiting::BlockInTask => thread::sleep(PIECE),
            Waiting::SpawnBlocking => {
                tokio::task::spawn_blocking(|| thread::sleep(PIECE))
                    .await
                    .expect("the blocking call panicked")
            }
        }
    }
    pieces
}
// ANCHOR_END: worker

// ANCHOR: run
/// Runs the heartbeat and the worker as two tasks on `runtime` until both are
/// done.
pub fn run(runtime: &Runtime, pieces: u32, waiting: Waiting) -> Report {
    // Enough ticks to cover the whole of the worker's work.
    let ticks = pieces * (PIECE.as_millis() / PERIOD.as_millis()) as u32;
    runtime.block_on(async {
        let (started, heartbeat_started) = oneshot::channel();
        let beating = tokio::spawn(heartbeat(ticks, started));
        // Start the worker only once the heartbeat beats, so every run measures
        // the same.
        heartbeat_started.await.expect("the heartbeat starts");
        let working = tokio::spawn(worker(pieces, waiting));
        let (ticks, longest_gap) =
            beating.await.expect("the heartbeat panicked");
        let pieces_done = working.await.expect("the worker panicked");
        Report {
            ticks,
            longest_gap,
            pieces_done,
        }
    })
}
// ANCHOR_END: run

/// A current-thread runtime: every task shares the one thread that calls
/// `block_on`.
pub fn current_thread() -> io::Result<Runtime> {
    Builder::new_current_thread().enable_time().build()
}

/// A multi-thread runtime with `workers` worker threads.
pub fn multi_thread(workers: usize) -> io::Result<Runtime> {
    Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_time()
        .build()
}
