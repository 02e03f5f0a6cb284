//! Counting primes: work that is all computation and no waiting.
//!
//! The numbers below a limit are cut into blocks, and the blocks are dealt out
//! to threads like cards, so every thread gets a fair share of small and large
//! numbers (large numbers cost more to test). Each thread counts its blocks on
//! its own; the only communication is the count each one hands back when it
//! finishes.

use std::ops::Range;
use std::thread;

/// How many consecutive numbers make one block of work.
pub const BLOCK: u64 = 10_000;

/// Whether `n` is prime, by trial division: deliberately plain, so the cost is
/// all CPU.
pub fn is_prime(n: u64) -> bool {
    if n < 4 {
        return n >= 2;
    }
    if n.is_multiple_of(2) || n.is_multiple_of(3) {
        return false;
    }
    let mut divisor = 5;
    while divisor * divisor <= n {
        if n.is_multiple_of(divisor) || n.is_multiple_of(divisor + 2) {
            return false;
        }
        divisor += 6;
    }
    true
}

/// How many primes lie in `numbers`.
pub fn count_primes_in(numbers: Range<u64>) -> u64 {
    numbers.filter(|&n| is_prime(n)).count() as u64
}

/// The numbers below `limit`, in blocks of `BLOCK`.
pub fn blocks(limit: u64) -> impl Iterator<Item = Range<u64>> {
    (0..limit.div_ceil(BLOCK))
        .map(move |block| block * BLOCK..((block + 1) * BLOCK).min(limit))
}

/// One loop over all the numbers: the baseline every other count must match.
pub fn count_primes_sequentially(limit: u64) -> u64 {
    count_primes_in(0..limit)
}

// ANCHOR: on_threads
/// Deals the blocks out to `threads` scoped threads and adds up their counts.
pub fn count_primes_on_threads(limit: u64, threads: usize) -> u64 {
    thread::scope(|scope| {
        let counters: Vec<_> = (0..threads)
            .map(|first| {
                scope.spawn(move || {
                    let my_blocks = blocks(limit).skip(first).step_by(threads);
                    my_blocks.map(count_primes_in).sum::<u64>()
                })
            })
            .collect();
        counters
            .into_iter()
            .map(|counter| counter.join().expect("a counting thread panicked"))
            .sum()
    })
}
// ANCHOR_END: on_threads
