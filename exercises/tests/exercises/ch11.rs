use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use book_helpers::finishes_within;
use ch11_one_program_two_runtimes::{
    Flavor, NUMBERS_PER_JOB, Work, expected_total, job, runtime,
};
use exercises::ch11::computing_job_that_yields;

#[test]
fn ch11_yielding_job_gives_the_same_answer() {
    let runtime = runtime(Flavor::CurrentThread).expect("a runtime");
    // Chunks that divide the job's numbers, that do not, and one larger
    // than the whole job.
    for chunk in [1, 7, 100, 999, NUMBERS_PER_JOB, 3 * NUMBERS_PER_JOB] {
        for id in [0, 1, 5] {
            let expected = runtime.block_on(job(id, Work::Computing));
            let answer = runtime.block_on(computing_job_that_yields(id, chunk));
            assert_eq!(answer, expected, "job {id} in chunks of {chunk}");
        }
    }
    let all: u64 = (0..8)
        .map(|id| runtime.block_on(computing_job_that_yields(id, 250)))
        .sum();
    assert_eq!(all, expected_total(8, Work::Computing));
}

/// Runs the job next to a task that counts how often it gets the thread
/// while the job is under way, on a runtime with one thread for both.
fn turns_while_computing(chunk: u64) -> u32 {
    let runtime = runtime(Flavor::CurrentThread).expect("a runtime");
    runtime.block_on(async {
        let started = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicBool::new(false));
        let turns = Arc::new(AtomicU32::new(0));
        let other = tokio::spawn({
            let (started, done, turns) =
                (Arc::clone(&started), Arc::clone(&done), Arc::clone(&turns));
            async move {
                while !done.load(Ordering::SeqCst) {
                    if started.load(Ordering::SeqCst) {
                        turns.fetch_add(1, Ordering::SeqCst);
                    }
                    tokio::task::yield_now().await;
                }
            }
        });
        let computing = tokio::spawn(async move {
            started.store(true, Ordering::SeqCst);
            let primes = computing_job_that_yields(2, chunk).await;
            done.store(true, Ordering::SeqCst);
            primes
        });
        let primes = computing.await.expect("the job panicked");
        other.await.expect("the other task panicked");
        assert_eq!(primes, job(2, Work::Computing).await);
        turns.load(Ordering::SeqCst)
    })
}

#[test]
fn ch11_other_tasks_run_while_the_job_computes() {
    for chunk in [100, 400] {
        // The job has NUMBERS_PER_JOB / chunk chunks: the other task must
        // get the thread between most of them, not once at the end.
        let chunks = (NUMBERS_PER_JOB / chunk) as u32;
        let turns = finishes_within(Duration::from_secs(60), move || {
            turns_while_computing(chunk)
        });
        assert!(
            turns >= chunks / 2,
            "in chunks of {chunk}, the other task ran {turns} times while \
             the job computed {chunks} chunks: the job keeps the thread"
        );
    }
}
