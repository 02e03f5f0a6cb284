//! Chapter 11's exercise, solved: a computing job that gives its thread back.

use ch11_one_program_two_runtimes::{NUMBERS_PER_JOB, count_primes};

// ANCHOR: yielding
/// The computing job cut into chunks, with an `.await` between them: each one
/// is a point where the runtime may run another task before this one goes on.
pub async fn computing_job_that_yields(id: u64, chunk: u64) -> u64 {
    let end = (id + 1) * NUMBERS_PER_JOB;
    let mut start = id * NUMBERS_PER_JOB;
    let mut primes = 0;
    while start < end {
        let stop = (start + chunk.max(1)).min(end);
        primes += count_primes(start..stop);
        start = stop;
        // Back to the runtime's queue: every task that is ready runs before
        // this one is polled again.
        tokio::task::yield_now().await;
    }
    primes
}
// ANCHOR_END: yielding
