//! Chapter 8's exercise, solved: a bound for `SegQueue`.

use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::Relaxed;

use ch08_lock_free::queues::Queue;
use crossbeam_queue::SegQueue;

/// A `SegQueue` that holds at most `capacity` items.
pub struct BoundedSegQueue<T> {
    items: SegQueue<T>,
    /// Slots taken: items in the queue, plus pushes that have reserved a
    /// slot and not yet pushed. Never more than `capacity`.
    len: AtomicUsize,
    capacity: usize,
}

impl<T> BoundedSegQueue<T> {
    pub fn new(capacity: usize) -> Self {
        BoundedSegQueue {
            items: SegQueue::new(),
            len: AtomicUsize::new(0),
            capacity,
        }
    }

    /// How many items it holds at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Slots taken now, never more than the capacity.
    pub fn len(&self) -> usize {
        self.len.load(Relaxed)
    }

    /// Whether it holds no item now.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

// ANCHOR: bounded
impl<T: Send> Queue<T> for BoundedSegQueue<T> {
    /// Reserves a slot with one read-modify-write that fails when none is
    /// free, so two producers can never both take the last one; only a
    /// producer holding a slot pushes.
    fn push(&self, item: T) -> Result<(), T> {
        let reserved = self.len.fetch_update(Relaxed, Relaxed, |len| {
            (len < self.capacity).then_some(len + 1)
        });
        match reserved {
            Ok(_) => {
                self.items.push(item);
                Ok(())
            }
            Err(_) => Err(item), // full: the caller decides what to do
        }
    }

    /// Frees the slot only after an item has actually been taken.
    fn pop(&self) -> Option<T> {
        let item = self.items.pop()?;
        self.len.fetch_sub(1, Relaxed);
        Some(item)
    }
}
// ANCHOR_END: bounded
