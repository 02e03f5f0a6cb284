//! ArrayQueue (bounded) and SegQueue (unbounded): many producers, many
//! consumers, no lock anywhere.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use crossbeam_queue::{ArrayQueue, SegQueue};

// ANCHOR: array
/// Producers push `per_producer` numbers each into a bounded queue, and
/// consumers pop until every number has been taken. Returns what each
/// consumer got.
pub fn through_array_queue(
    producers: usize,
    consumers: usize,
    per_producer: usize,
    capacity: usize,
) -> Vec<Vec<usize>> {
    let queue = ArrayQueue::new(capacity);
    let total = producers * per_producer;
    let taken = AtomicUsize::new(0); // how many items consumers have claimed
    thread::scope(|scope| {
        for p in 0..producers {
            let queue = &queue;
            scope.spawn(move || {
                for i in 0..per_producer {
                    let mut item = p * per_producer + i;
                    // A full queue hands the item back instead of blocking.
                    while let Err(back) = queue.push(item) {
                        item = back;
                        thread::yield_now();
                    }
                }
            });
        }
        let takers: Vec<_> = (0..consumers)
            .map(|_| {
                scope.spawn(|| {
                    let mut got = Vec::new();
                    while taken.load(Ordering::Relaxed) < total {
                        match queue.pop() {
                            Some(item) => {
                                taken.fetch_add(1, Ordering::Relaxed);
                                got.push(item);
                            }
                            None => thread::yield_now(), // empty for now
                        }
                    }
                    got
                })
            })
            .collect();
        takers
            .into_iter()
            .map(|t| t.join().expect("no panic"))
            .collect()
    })
}
// ANCHOR_END: array

/// The same with an unbounded `SegQueue`: `push` always succeeds.
pub fn through_seg_queue(
    producers: usize,
    consumers: usize,
    per_producer: usize,
) -> Vec<Vec<usize>> {
    let queue = SegQueue::new();
    let total = producers * per_producer;
    let taken = AtomicUsize::new(0);
    thread::scope(|scope| {
        for p in 0..producers {
            let queue = &queue;
            scope.spawn(move || {
                (0..per_producer)
                    .for_each(|i| queue.push(p * per_producer + i));
            });
        }
        let takers: Vec<_> = (0..consumers)
            .map(|_| {
                scope.spawn(|| {
                    let mut got = Vec::new();
                    while taken.load(Ordering::Relaxed) < total {
                        if let Some(item) = queue.pop() {
                            taken.fetch_add(1, Ordering::Relaxed);
                            got.push(item);
                        } else {
                            thread::yield_now();
                        }
                    }
                    got
                })
            })
            .collect();
        takers
            .into_iter()
            .map(|t| t.join().expect("no panic"))
            .collect()
    })
}
