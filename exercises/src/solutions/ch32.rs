//! Chapter 32's exercise, solved: one more model, a shared cursor.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use ch32_one_problem_every_model::{blocks, count_primes_in};

// ANCHOR: cursor
/// Blocks handed out on demand through one atomic index: whichever thread is
/// free claims the next block, so a thread that drew cheap blocks takes more.
pub fn shared_cursor(limit: u64, threads: usize) -> u64 {
    let work: Vec<Range<u64>> = blocks(limit).collect();
    let next = AtomicUsize::new(0);
    thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = 0;
                    // `fetch_add` claims an index no other thread can get.
                    while let Some(block) =
                        work.get(next.fetch_add(1, Ordering::Relaxed))
                    {
                        mine += count_primes_in(block.clone());
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a counting thread panicked"))
            .sum()
    })
}
// ANCHOR_END: cursor
