//! The program's answer must not depend on the runtime that executes it.

use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use ch11_one_program_two_runtimes::{
    Flavor, Work, count_primes, expected_total, run_jobs, runtime,
};

#[test]
fn a_current_thread_runtime_runs_every_job_on_the_calling_thread() {
    let (total, threads) = finishes_within(Duration::from_secs(60), || {
        let one_thread = runtime(Flavor::CurrentThread).expect("a runtime");
        let caller = thread::current().id();
        let (total, threads) =
            one_thread.block_on(run_jobs(20, Work::Computing));
        (
            total,
            threads.into_iter().map(|t| t == caller).collect::<Vec<_>>(),
        )
    });
    assert_eq!(total, expected_total(20, Work::Computing));
    assert_eq!(threads, [true], "one thread, and it is the caller's");
}

#[test]
fn a_pool_never_uses_more_threads_than_it_has_workers() {
    finishes_within(Duration::from_secs(60), || {
        for workers in 1..=4 {
            let pool =
                runtime(Flavor::MultiThread { workers }).expect("a runtime");
            let (total, threads) = pool.block_on(run_jobs(40, Work::Computing));
            assert_eq!(total, expected_total(40, Work::Computing));
            assert!(
                (1..=workers).contains(&threads.len()),
                "{workers}: {threads:?}"
            );
            assert!(
                !threads.contains(&thread::current().id()),
                "jobs run on workers"
            );
        }
    });
}

#[test]
fn stress_every_flavor_gives_the_plain_loop_total() {
    finishes_within(Duration::from_secs(120), || {
        let flavors = [
            Flavor::CurrentThread,
            Flavor::MultiThread { workers: 1 },
            Flavor::MultiThread { workers: 2 },
            Flavor::MultiThread { workers: 3 },
            Flavor::MultiThread { workers: 8 },
        ];
        let runtimes: Vec<_> = flavors
            .iter()
            .map(|&flavor| runtime(flavor).expect("a runtime"))
            .collect();
        for iteration in 0..200_u64 {
            let jobs = 1 + iteration % 37;
            let work = if iteration % 4 == 0 {
                Work::Waiting
            } else {
                Work::Computing
            };
            let expected = expected_total(jobs, work);
            let rt = &runtimes[iteration as usize % runtimes.len()];
            let (total, _) = rt.block_on(run_jobs(jobs, work));
            assert_eq!(
                total, expected,
                "iteration {iteration}, {jobs} jobs, {work:?}"
            );
        }
    });
}

#[test]
fn counting_primes_is_right() {
    assert_eq!(count_primes(0..10), 4);
    assert_eq!(count_primes(0..100), 25);
    assert_eq!(count_primes(4_000..8_000), 1007 - 550);
    // 0, 1, 4, 9 and 16 for the five waiting jobs.
    assert_eq!(expected_total(5, Work::Waiting), 30);
}
