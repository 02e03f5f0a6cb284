//! The pipeline, the pool and every channel flavour, run many times with
//! varied sizes: results equal to one thread's, nothing lost or duplicated,
//! every run under a time limit so a stuck channel fails the test.

use std::time::Duration;

use book_helpers::finishes_within;
use ch09_channels::{
    Flavour, Stalled, collatz_steps, fan_out_fan_in, pump, sieve,
};

const LIMIT: Duration = Duration::from_secs(90);

fn primes_by_trial_division(count: usize) -> Vec<u64> {
    (2u64..)
        .filter(|&n| {
            (2..)
                .take_while(|d| d * d <= n)
                .all(|d| !n.is_multiple_of(d))
        })
        .take(count)
        .collect()
}

#[test]
fn the_sieve_finds_the_primes_and_shuts_down() {
    finishes_within(LIMIT, || {
        let reference = primes_by_trial_division(120);
        for round in 0..200 {
            let count = 1 + round % 120;
            let capacity = 1 + round % 7;
            // Returning at all proves every stage stopped: the scope joins
            // them.
            assert_eq!(sieve(count, capacity), reference[..count], "{count}");
        }
    });
}

#[test]
fn every_job_is_answered_exactly_once() {
    finishes_within(LIMIT, || {
        let jobs: Vec<u64> = (1..=300).collect();
        let expected: Vec<(u64, u64)> =
            jobs.iter().map(|&j| (j, collatz_steps(j))).collect();
        for round in 0..200 {
            let workers = 1 + round % 9;
            let mut results =
                fan_out_fan_in(&jobs, workers, Duration::from_secs(30))
                    .expect("not stalled");
            results.sort_unstable();
            assert_eq!(results, expected, "{workers} workers");
        }
    });
}

#[test]
fn without_workers_the_collector_reports_a_stall_instead_of_hanging() {
    finishes_within(LIMIT, || {
        let outcome = fan_out_fan_in(&[1, 2, 3], 0, Duration::from_millis(50));
        assert_eq!(outcome, Err(Stalled { received: 0 }));
        assert_eq!(fan_out_fan_in(&[], 3, Duration::from_secs(1)), Ok(vec![]));
    });
}

#[test]
fn no_channel_loses_or_duplicates_a_message() {
    finishes_within(LIMIT, || {
        for round in 0..50 {
            let producers = 1 + round % 5;
            let messages = 1_000 + round as u64 * 37;
            let expected = messages * (messages - 1) / 2;
            for flavour in Flavour::ALL {
                assert_eq!(
                    pump(flavour, producers, messages),
                    expected,
                    "{flavour:?}, {producers} producers"
                );
            }
        }
    });
}

#[test]
fn collatz_counts_steps() {
    assert_eq!(collatz_steps(1), 0);
    assert_eq!(collatz_steps(6), 8);
    assert_eq!(collatz_steps(27), 111);
}
