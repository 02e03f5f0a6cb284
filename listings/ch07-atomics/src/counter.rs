//! Relaxed: a counter that only has to add up.

use std::sync::atomic::Ordering::Relaxed;

use crate::sync::AtomicU64;

// ANCHOR: counter
/// Counts events from many threads. Nothing else is published through the
/// counter, so the only guarantee needed is that no increment is lost —
/// which every atomic read-modify-write gives, even `Relaxed`.
#[derive(Default)]
pub struct EventCounter {
    events: AtomicU64,
}

impl EventCounter {
    pub fn record(&self) {
        self.events.fetch_add(1, Relaxed);
    }

    /// The total so far; exact once the counting threads are joined.
    pub fn total(&self) -> u64 {
        self.events.load(Relaxed)
    }
}
// ANCHOR_END: counter
