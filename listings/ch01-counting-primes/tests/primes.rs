//! Counting on threads must give exactly the count of the plain loop.

use std::time::Duration;

use book_helpers::finishes_within;
use ch01_counting_primes::{
    BLOCK, blocks, count_primes_in, count_primes_on_threads,
    count_primes_sequentially, is_prime,
};

/// Primality the slowest obvious way, to check the faster test against.
fn is_prime_naive(n: u64) -> bool {
    n >= 2 && (2..n).all(|d| !n.is_multiple_of(d))
}

#[test]
fn trial_division_agrees_with_the_naive_test() {
    for n in 0..5_000 {
        assert_eq!(is_prime(n), is_prime_naive(n), "{n}");
    }
}

#[test]
fn known_prime_counts() {
    // π(10) = 4, π(100) = 25, π(1000) = 168, π(10^5) = 9592, π(10^6) = 78498.
    for (limit, count) in [
        (2, 0),
        (3, 1),
        (10, 4),
        (100, 25),
        (1_000, 168),
        (100_000, 9_592),
    ] {
        assert_eq!(count_primes_sequentially(limit), count, "below {limit}");
    }
    assert_eq!(count_primes_on_threads(1_000_000, 3), 78_498);
}

#[test]
fn blocks_cover_every_number_once() {
    for limit in [1, 2, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 17] {
        let numbers: Vec<u64> = blocks(limit).flatten().collect();
        assert_eq!(numbers, (0..limit).collect::<Vec<_>>(), "limit {limit}");
        assert!(blocks(limit).all(|block| block.end - block.start <= BLOCK));
    }
    assert_eq!(count_primes_in(BLOCK..BLOCK), 0);
}

#[test]
fn any_number_of_threads_counts_the_same() {
    for limit in [2, 97, BLOCK, 5 * BLOCK + 3, 123_457] {
        let expected = count_primes_sequentially(limit);
        for threads in 1..=9 {
            let counted = finishes_within(Duration::from_secs(60), move || {
                count_primes_on_threads(limit, threads)
            });
            assert_eq!(counted, expected, "limit {limit}, {threads} threads");
        }
    }
}

#[test]
fn more_threads_than_blocks_still_counts_everything() {
    let counted = finishes_within(Duration::from_secs(60), || {
        count_primes_on_threads(3 * BLOCK, 16)
    });
    assert_eq!(counted, count_primes_sequentially(3 * BLOCK));
}

#[test]
fn stress_repeated_threaded_counts_agree() {
    let expected = count_primes_sequentially(4 * BLOCK + 1);
    let counts = finishes_within(Duration::from_secs(120), || {
        (0..50)
            .map(|run| count_primes_on_threads(4 * BLOCK + 1, 1 + run % 4))
            .collect::<Vec<_>>()
    });
    assert_eq!(counts, vec![expected; 50]);
}
