use std::time::Duration;

use book_helpers::finishes_within;
use ch32_one_problem_every_model::{BLOCK, sequential};
use exercises::ch32::shared_cursor;

#[test]
fn ch32_the_cursor_gives_the_loops_count() {
    // Nothing, less than a block, exactly one, one past it, a ragged end.
    let limits = [0, 1, 2, 3, BLOCK - 1, BLOCK, BLOCK + 1, 7 * BLOCK + 123];
    for limit in limits {
        let expected = sequential(limit);
        for threads in [0, 1, 2, 3, 5, 16] {
            let counted = finishes_within(Duration::from_secs(20), move || {
                shared_cursor(limit, threads)
            });
            assert_eq!(
                counted, expected,
                "primes below {limit} on {threads} threads"
            );
        }
    }
}

#[test]
fn ch32_the_cursor_again_and_again() {
    // Many short runs: a block claimed twice or never shows up in one.
    for round in 0..100_u64 {
        let limit = 3 * BLOCK + round * 97;
        let threads = 2 + (round % 4) as usize;
        assert_eq!(
            shared_cursor(limit, threads),
            sequential(limit),
            "round {round}: primes below {limit} on {threads} threads"
        );
    }
}
