//! Chapter 8's exercise: a bound for `SegQueue`.
//!
//! Write `push` and `pop` for `BoundedSegQueue`: crossbeam's unbounded
//! `SegQueue` with a capacity kept in an atomic count, so that it behaves
//! like an `ArrayQueue` and the listing's harness can drive it. Check it with
//! `cargo exercise ch08`.

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

impl<T: Send> Queue<T> for BoundedSegQueue<T> {
    /// Reserves a slot, if one is free, and only then pushes; hands `item`
    /// back when the queue is full. Never waits.
    fn push(&self, item: T) -> Result<(), T> {
        // Your code here: reserving and checking the bound must be one
        // atomic step.
        todo!()
    }

    /// Takes the oldest item, if any, and frees its slot. Never waits.
    fn pop(&self) -> Option<T> {
        todo!()
    }
}
