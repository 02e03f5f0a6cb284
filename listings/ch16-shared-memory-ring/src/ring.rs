//! The ring's two indices and the rules for moving them.

use crate::sync::{AtomicU32, AtomicU64, Ordering};

/// Keeps a field on a cache line of its own: the producer writes `tail` and
/// the consumer writes `head`, and on one line each write would steal the
/// line from the other core. A line is 64 bytes on x86_64, but Intel's
/// spatial prefetcher pulls lines in adjacent pairs, so 128 bytes apart is
/// the distance that keeps two fields from interfering (crossbeam's
/// `CachePadded` uses 128 on x86_64 for the same reason).
#[repr(C, align(128))]
pub struct OwnLine<T>(pub T);

// ANCHOR: layout
/// `N` slots and two counters that only grow. `tail - head` values are
/// waiting; slot `i % N` holds value number `i`. Every field is an atomic
/// and all-zero bytes are a valid empty ring, so a freshly created shared
/// file needs no initialisation beyond its length.
#[repr(C)]
pub struct Ring<const N: usize> {
    /// Values taken so far; written only by the consumer.
    head: OwnLine<AtomicU64>,
    /// Values put so far; written only by the producer.
    tail: OwnLine<AtomicU64>,
    /// Set by the producer after its last value.
    closed: AtomicU32,
    /// Process ids of the two sides, so each can tell if the other died.
    pub producer_pid: AtomicU32,
    pub consumer_pid: AtomicU32,
    slots: [AtomicU64; N],
}
// ANCHOR_END: layout

/// The ring had no free slot; the value is handed back.
#[derive(Debug, PartialEq, Eq)]
pub struct Full(pub u64);

impl<const N: usize> Ring<N> {
    /// An empty ring on the heap (for threads and for the loom model).
    pub fn new() -> Box<Self> {
        Box::new(Ring {
            head: OwnLine(AtomicU64::new(0)),
            tail: OwnLine(AtomicU64::new(0)),
            closed: AtomicU32::new(0),
            producer_pid: AtomicU32::new(0),
            consumer_pid: AtomicU32::new(0),
            slots: std::array::from_fn(|_| AtomicU64::new(0)),
        })
    }

    /// The producer's end. There must be one producer per ring: a second
    /// one would reuse the same counter and overwrite values.
    pub fn producer(&self) -> Producer<'_, N> {
        let tail = self.tail.0.load(Ordering::Relaxed);
        let head = self.head.0.load(Ordering::Acquire);
        Producer {
            ring: self,
            tail,
            head,
        }
    }

    /// The consumer's end; one per ring, like the producer.
    pub fn consumer(&self) -> Consumer<'_, N> {
        let head = self.head.0.load(Ordering::Relaxed);
        let tail = self.tail.0.load(Ordering::Acquire);
        Consumer {
            ring: self,
            head,
            tail,
        }
    }

    /// Whether the producer has closed the ring. Values pushed before the
    /// close are still to be popped: check this after `try_pop` says empty,
    /// then pop once more.
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire) == 1
    }

    /// Values put and taken so far (for reports).
    pub fn counts(&self) -> (u64, u64) {
        (
            self.tail.0.load(Ordering::Acquire),
            self.head.0.load(Ordering::Acquire),
        )
    }
}

// ANCHOR: ends
/// One side's view of the ring: its own counter, and the last value it saw
/// of the other side's. Reading the other side's counter moves a cache line
/// between cores, so each side does it only when its old copy says the ring
/// is full (producer) or empty (consumer).
pub struct Producer<'r, const N: usize> {
    ring: &'r Ring<N>,
    tail: u64,
    head: u64,
}

pub struct Consumer<'r, const N: usize> {
    ring: &'r Ring<N>,
    head: u64,
    tail: u64,
}
// ANCHOR_END: ends

impl<const N: usize> Producer<'_, N> {
    // ANCHOR: push
    /// Puts `value` in the next slot, or reports a full ring.
    pub fn try_push(&mut self, value: u64) -> Result<(), Full> {
        // Release: the slot's value is visible to whoever sees the new tail.
        self.push_publishing(value, Ordering::Release)
    }

    /// `try_push` with the ordering of the store that publishes `tail` as a
    /// parameter, so that the loom model can weaken it and see it fail.
    fn push_publishing(
        &mut self,
        value: u64,
        publish: Ordering,
    ) -> Result<(), Full> {
        if self.tail - self.head == N as u64 {
            // Full as far as we knew. Acquire: the consumer's reads of the
            // slots it gave back happen before we overwrite one of them.
            self.head = self.ring.head.0.load(Ordering::Acquire);
            if self.tail - self.head == N as u64 {
                return Err(Full(value));
            }
        }
        let slot = &self.ring.slots[(self.tail % N as u64) as usize];
        slot.store(value, Ordering::Relaxed);
        self.tail += 1;
        self.ring.tail.0.store(self.tail, publish);
        Ok(())
    }
    // ANCHOR_END: push

    /// `try_push` with the store of `tail` weakened to `Relaxed`: the bug
    /// the loom model must catch, compiled only for the model.
    #[cfg(loom)]
    pub fn try_push_relaxed_tail(&mut self, value: u64) -> Result<(), Full> {
        self.push_publishing(value, Ordering::Relaxed)
    }

    /// No value follows the ones already pushed.
    pub fn close(&self) {
        self.ring.closed.store(1, Ordering::Release);
    }
}

impl<const N: usize> Consumer<'_, N> {
    // ANCHOR: pop
    /// Takes the oldest value, if there is one.
    pub fn try_pop(&mut self) -> Option<u64> {
        if self.head == self.tail {
            // Empty as far as we knew. Acquire: pairs with the producer's
            // Release store, so the slot's value is visible to us.
            self.tail = self.ring.tail.0.load(Ordering::Acquire);
            if self.head == self.tail {
                return None;
            }
        }
        let slot = &self.ring.slots[(self.head % N as u64) as usize];
        let value = slot.load(Ordering::Relaxed);
        self.head += 1;
        // Release: our read of the slot happens before the producer reuses it.
        self.ring.head.0.store(self.head, Ordering::Release);
        Some(value)
    }
    // ANCHOR_END: pop
}
