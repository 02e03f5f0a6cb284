use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use ch09_channels::{collatz_steps, fan_out_fan_in};
use exercises::ch09::in_job_order;

/// The chapter's work, with a pause on every hundredth job, so that the
/// workers finish jobs out of turn.
fn uneven(job: u64) -> u64 {
    if job.is_multiple_of(100) {
        thread::sleep(Duration::from_millis(20));
    }
    collatz_steps(job)
}

#[test]
fn ch09_results_come_back_in_job_order() {
    finishes_within(Duration::from_secs(60), || {
        let jobs: Vec<u64> = (1..=1_000).collect();
        let expected: Vec<(u64, u64)> =
            jobs.iter().map(|&job| (job, collatz_steps(job))).collect();
        for workers in [0, 1, 2, 3, 8] {
            let got = in_job_order(&jobs, workers, uneven);
            assert_eq!(got.len(), jobs.len(), "{workers} workers");
            if let Some(i) = (0..got.len()).find(|&i| got[i] != expected[i]) {
                panic!(
                    "{workers} workers: result {i} is {:?}, the job was {}",
                    got[i], jobs[i]
                );
            }
        }
    });
}

#[test]
fn ch09_the_same_results_as_the_listings_fan_in() {
    finishes_within(Duration::from_secs(60), || {
        let jobs: Vec<u64> = (0..500).map(|i| 1 + i * 7_919).collect();
        let mut reference = fan_out_fan_in(&jobs, 4, Duration::from_secs(20))
            .expect("the listing's pool finishes");
        let mut got = in_job_order(&jobs, 4, collatz_steps);
        reference.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, reference);
    });
}

#[test]
fn ch09_no_jobs_and_repeated_jobs() {
    finishes_within(Duration::from_secs(60), || {
        assert_eq!(in_job_order(&[], 3, collatz_steps), []);
        let same = [27, 27, 1, 27];
        let steps = collatz_steps(27);
        assert_eq!(
            in_job_order(&same, 2, collatz_steps),
            [(27, steps), (27, steps), (1, 0), (27, steps)]
        );
    });
}
