//! Chapter 1's exercise: one contiguous share each.
//!
//! Write `contiguous_shares`, which cuts the numbers below a limit into one
//! range per thread, and `count_primes_in_shares`, which counts the primes of
//! each share on a scoped thread of its own, the way
//! `ch01_counting_primes::count_primes_on_threads` counts its dealt blocks.
//! Check it with `cargo exercise ch01`.

use std::ops::Range;

/// The numbers `0..limit` cut into `threads` consecutive ranges, in order,
/// whose lengths differ by at most one (zero threads count as one).
pub fn contiguous_shares(limit: u64, threads: usize) -> Vec<Range<u64>> {
    // Your code here: mind the numbers left over when `threads` does not
    // divide `limit`.
    todo!()
}

/// How many primes lie below `limit`, counted by one scoped thread per share
/// of `contiguous_shares(limit, threads)`.
pub fn count_primes_in_shares(limit: u64, threads: usize) -> u64 {
    // Your code here: `std::thread::scope`, and
    // `ch01_counting_primes::count_primes_in` for one share.
    todo!()
}
