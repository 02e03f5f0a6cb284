//! What the parent and its workers say to each other, and the work itself.

use std::ops::Range;

use serde::{Deserialize, Serialize};

// ANCHOR: protocol
/// Count the primes in `start..end`.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    pub id: u32,
    pub start: u64,
    pub end: u64,
    /// Makes the worker kill itself halfway through: the book's way to
    /// show a crash on demand.
    pub crash: bool,
    /// Makes the worker stop answering, alive but stuck: a hang on demand.
    pub hang: bool,
}

/// Parent to worker.
#[derive(Serialize, Deserialize, Debug, PartialEq, Eq)]
pub enum Request {
    Work(Job),
    /// No more jobs: exit normally.
    Stop,
}

/// Worker to parent.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reply {
    pub id: u32,
    pub primes: u64,
}
// ANCHOR_END: protocol

/// `count` jobs of `size` numbers each, covering `0..count * size`.
pub fn jobs(count: u32, size: u64) -> Vec<Job> {
    (0..count)
        .map(|id| Job {
            id,
            start: u64::from(id) * size,
            end: u64::from(id + 1) * size,
            crash: false,
            hang: false,
        })
        .collect()
}

/// Trial division: slow on purpose, so each job is real CPU work.
pub fn count_primes(numbers: Range<u64>) -> u64 {
    let is_prime = |n: u64| {
        n >= 2
            && (2..)
                .take_while(|d| d * d <= n)
                .all(|d| !n.is_multiple_of(d))
    };
    numbers.filter(|&n| is_prime(n)).count() as u64
}

/// The same jobs on threads of one process, for comparison: nothing to
/// encode, nothing to copy, nothing to start but the threads.
pub fn on_threads(jobs: &[Job], threads: usize) -> u64 {
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut primes = 0;
                    while let Some(job) = jobs.get(
                        next.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
                    ) {
                        primes += count_primes(job.start..job.end);
                    }
                    primes
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("no panic"))
            .sum()
    })
}
