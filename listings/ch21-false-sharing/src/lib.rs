//! Two ways parallel code loses time without any visible contention: counters
//! that share a cache line, and tasks too small to pay for being tasks.

use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

use crossbeam_utils::CachePadded;
use rayon::prelude::*;

// ANCHOR: layouts
/// One counter per thread, packed next to each other: eight `AtomicU64`s
/// fill one 64-byte cache line, so every increment by one thread takes the
/// line away from all the others.
pub fn packed_counters(threads: usize) -> Vec<AtomicU64> {
    (0..threads).map(|_| AtomicU64::new(0)).collect()
}

/// The same counters, each padded and aligned to its own cache line (128
/// bytes on x86_64, where the prefetcher fetches lines in pairs).
pub fn padded_counters(threads: usize) -> Vec<CachePadded<AtomicU64>> {
    (0..threads)
        .map(|_| CachePadded::new(AtomicU64::new(0)))
        .collect()
}
// ANCHOR_END: layouts

// ANCHOR: bump
/// Each thread increments its own counter `times` times. No two threads
/// touch the same counter, so there is no data race and nothing to lock;
/// what they may share is the cache line underneath.
pub fn bump_each<C>(counters: &[C], times: u64)
where
    C: std::ops::Deref<Target = AtomicU64> + Sync,
{
    thread::scope(|s| {
        for counter in counters {
            s.spawn(move || {
                for _ in 0..times {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
}
// ANCHOR_END: bump

/// A plain `AtomicU64` seen through `Deref`, so the packed and the padded
/// counters go through the same `bump_each`.
pub struct Plain<'a>(pub &'a AtomicU64);

impl std::ops::Deref for Plain<'_> {
    type Target = AtomicU64;
    fn deref(&self) -> &AtomicU64 {
        self.0
    }
}

// ANCHOR: granularity
/// The sum of `f(i)` for `i < n`, with rayon made to split the range until
/// no piece is longer than `longest`: 1 makes every element a task of its
/// own, with a task's cost to pay for one multiplication.
pub fn sum_in_pieces(n: u64, longest: usize) -> u64 {
    (0..n as usize)
        .into_par_iter()
        .with_max_len(longest)
        .map(|i| term(i as u64))
        .sum()
}

fn term(i: u64) -> u64 {
    i.wrapping_mul(i) % 7
}
// ANCHOR_END: granularity

/// The same sum in one loop, for the comparison and the tests.
pub fn sum_sequential(n: u64) -> u64 {
    (0..n).map(term).sum()
}
