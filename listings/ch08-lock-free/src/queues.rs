//! ArrayQueue (bounded) and SegQueue (unbounded): many producers, many
//! consumers, no lock anywhere; and a `Mutex<VecDeque>` to measure them by.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use crossbeam_queue::{ArrayQueue, SegQueue};

// ANCHOR: queue
/// What the harness below needs from a multi-producer, multi-consumer
/// queue: a `push` that hands the item back when the queue is full, and a
/// `pop` that returns `None` when it is empty. Neither waits.
pub trait Queue<T>: Sync {
    fn push(&self, item: T) -> Result<(), T>;
    fn pop(&self) -> Option<T>;
}

impl<T: Send> Queue<T> for ArrayQueue<T> {
    fn push(&self, item: T) -> Result<(), T> {
        ArrayQueue::push(self, item)
    }
    fn pop(&self) -> Option<T> {
        ArrayQueue::pop(self)
    }
}

impl<T: Send> Queue<T> for SegQueue<T> {
    fn push(&self, item: T) -> Result<(), T> {
        SegQueue::push(self, item);
        Ok(())
    }
    fn pop(&self) -> Option<T> {
        SegQueue::pop(self)
    }
}

/// The blocking baseline: a `VecDeque` behind a `Mutex`, with an optional
/// bound so that it can stand in for either crossbeam queue.
pub struct MutexQueue<T> {
    items: Mutex<VecDeque<T>>,
    capacity: usize,
}

impl<T> MutexQueue<T> {
    /// Holds at most `capacity` items, like an `ArrayQueue`.
    pub fn bounded(capacity: usize) -> Self {
        MutexQueue {
            items: Mutex::new(VecDeque::with_capacity(capacity)),
            capacity,
        }
    }

    /// Grows without bound, like a `SegQueue`.
    pub fn unbounded() -> Self {
        MutexQueue {
            items: Mutex::new(VecDeque::new()),
            capacity: usize::MAX,
        }
    }
}

impl<T: Send> Queue<T> for MutexQueue<T> {
    fn push(&self, item: T) -> Result<(), T> {
        let mut items = self.items.lock().expect("no holder panics");
        if items.len() == self.capacity {
            return Err(item);
        }
        items.push_back(item);
        Ok(())
    }
    fn pop(&self) -> Option<T> {
        self.items.lock().expect("no holder panics").pop_front()
    }
}
// ANCHOR_END: queue

// ANCHOR: array
/// Producers push `per_producer` numbers each into `queue`, and consumers
/// pop until every number has been taken. Returns what each consumer got.
pub fn through(
    queue: &impl Queue<usize>,
    producers: usize,
    consumers: usize,
    per_producer: usize,
) -> Vec<Vec<usize>> {
    let total = producers * per_producer;
    let taken = AtomicUsize::new(0); // how many items consumers have claimed
    thread::scope(|scope| {
        for p in 0..producers {
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
