//! Chapter 1's exercise, solved: one contiguous share each.

use std::ops::Range;
use std::thread;

use ch01_counting_primes::count_primes_in;

// ANCHOR: shares
/// The numbers `0..limit` cut into `threads` consecutive ranges: the first
/// `limit % threads` of them take one number more than the rest, so no
/// number is lost and no share is longer than another by more than one.
pub fn contiguous_shares(limit: u64, threads: usize) -> Vec<Range<u64>> {
    let threads = threads.max(1) as u64;
    let (size, extra) = (limit / threads, limit % threads);
    let mut start = 0;
    (0..threads)
        .map(|share| {
            let end = start + size + u64::from(share < extra);
            let range = start..end;
            start = end;
            range
        })
        .collect()
}

/// One scoped thread per share; the only communication is the count each
/// hands back when it is joined.
pub fn count_primes_in_shares(limit: u64, threads: usize) -> u64 {
    thread::scope(|scope| {
        let counters: Vec<_> = contiguous_shares(limit, threads)
            .into_iter()
            .map(|share| scope.spawn(move || count_primes_in(share)))
            .collect();
        counters
            .into_iter()
            .map(|counter| counter.join().expect("a counting thread panicked"))
            .sum()
    })
}
// ANCHOR_END: shares
