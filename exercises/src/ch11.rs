//! Chapter 11's exercise: a computing job that gives its thread back.
//!
//! Write `computing_job_that_yields`: the answer of
//! `ch11_one_program_two_runtimes::job(id, Work::Computing)`, counted in
//! chunks with a `tokio::task::yield_now().await` after each, so that the
//! other tasks of a current-thread runtime run while it computes. Check it
//! with `cargo exercise ch11`.

/// The number of primes among job `id`'s numbers, `id * NUMBERS_PER_JOB` up
/// to `(id + 1) * NUMBERS_PER_JOB`, counted `chunk` numbers at a time (the
/// last chunk may be shorter; `chunk` is at least 1), yielding to the runtime
/// after each chunk.
pub async fn computing_job_that_yields(id: u64, chunk: u64) -> u64 {
    // Your code here: `ch11_one_program_two_runtimes::count_primes` counts a
    // range, and `tokio::task::yield_now` is the `.await` that gives the
    // thread back.
    todo!()
}
