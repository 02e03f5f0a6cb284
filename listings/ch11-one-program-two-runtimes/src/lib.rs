//! One async program and two ways to execute it.
//!
//! The program is a set of independent jobs spawned into a `JoinSet` and summed
//! as they finish. Nothing in it says how many threads run the jobs: that is
//! decided by the runtime it is handed to, which is the whole point of the
//! chapter.

use std::collections::HashSet;
use std::io;
use std::thread::{self, ThreadId};
use std::time::Duration;

use tokio::runtime::{Builder, Runtime};
use tokio::task::JoinSet;

/// How long a waiting job waits: a stand-in for a reply from a slow service.
pub const WAIT: Duration = Duration::from_millis(20);

/// How many numbers a computing job examines for primality.
pub const NUMBERS_PER_JOB: u64 = 4_000;

/// What a job spends its time on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// Waiting on a timer, the way a request waits on the network.
    Waiting,
    /// Computing without pause, the way a parser or a compressor does.
    Computing,
}

// ANCHOR: job
/// One job. Its answer depends only on `id`, never on where or when it ran.
pub async fn job(id: u64, work: Work) -> u64 {
    match work {
        Work::Waiting => {
            // While the timer runs, the task is parked and its thread is free.
            tokio::time::sleep(WAIT).await;
            id * id
        }
        // No `.await` inside: the task holds its thread until the count is
        // done.
        Work::Computing => {
            count_primes(id * NUMBERS_PER_JOB..(id + 1) * NUMBERS_PER_JOB)
        }
    }
}
// ANCHOR_END: job

// ANCHOR: run_jobs
/// Spawns `jobs` jobs, adds up their answers as they finish, and notes which
/// threads ran them.
pub async fn run_jobs(jobs: u64, work: Work) -> (u64, HashSet<ThreadId>) {
    let mut running = JoinSet::new();
    for id in 0..jobs {
        running.spawn(
            async move { (job(id, work).await, thread::current().id()) },
        );
    }
    let mut total = 0;
    let mut threads = HashSet::new();
    // Jobs finish in whatever order the runtime ran them; a sum does not care.
    while let Some(finished) = running.join_next().await {
        let (answer, thread) = finished.expect("a job panicked");
        total += answer;
        threads.insert(thread);
    }
    (total, threads)
}
// ANCHOR_END: run_jobs

/// The two runtimes the chapter compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Every task runs on the thread that calls `block_on`.
    CurrentThread,
    /// Tasks are spread over a pool of `workers` threads that steal work from
    /// each other.
    MultiThread { workers: usize },
}

// ANCHOR: runtime
/// Builds a runtime of the given flavor with timers enabled (the jobs use
/// `sleep`).
pub fn runtime(flavor: Flavor) -> io::Result<Runtime> {
    match flavor {
        Flavor::CurrentThread => {
            Builder::new_current_thread().enable_time().build()
        }
        Flavor::MultiThread { workers } => Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_time()
            .build(),
    }
}
// ANCHOR_END: runtime

/// The answer `run_jobs` must give, computed with a plain loop and no runtime
/// at all.
pub fn expected_total(jobs: u64, work: Work) -> u64 {
    (0..jobs)
        .map(|id| match work {
            Work::Waiting => id * id,
            Work::Computing => {
                count_primes(id * NUMBERS_PER_JOB..(id + 1) * NUMBERS_PER_JOB)
            }
        })
        .sum()
}

/// Counts the primes in `numbers` by trial division: deliberately plain CPU
/// work.
pub fn count_primes(numbers: std::ops::Range<u64>) -> u64 {
    numbers.filter(|&n| is_prime(n)).count() as u64
}

fn is_prime(n: u64) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}
