//! Chapter 3's exercise, solved: coordinate only at the end.

use std::thread;

use ch03_shared_vs_messages::{Counts, count_letters};

// ANCHOR: joining
/// Each worker takes every `workers`-th document, keeps its own totals, and
/// hands them back when it finishes, through its join handle; the caller adds
/// the per-worker totals. No lock, no channel: the only communication is the
/// value a thread returns.
pub fn by_joining(docs: &[String], workers: usize) -> Counts {
    let workers = workers.max(1);
    thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|worker| {
                scope.spawn(move || {
                    let mut mine = [0; 26];
                    for doc in docs.iter().skip(worker).step_by(workers) {
                        let counts = count_letters(doc);
                        for (sum, n) in mine.iter_mut().zip(counts) {
                            *sum += n;
                        }
                    }
                    mine
                })
            })
            .collect();
        let mut total = [0; 26];
        for handle in handles {
            let mine = handle.join().expect("a worker panicked");
            for (sum, n) in total.iter_mut().zip(mine) {
                *sum += n;
            }
        }
        total
    })
}
// ANCHOR_END: joining
