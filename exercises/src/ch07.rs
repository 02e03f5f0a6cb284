//! Chapter 7's exercise: a counter that stops.
//!
//! Write `Tickets::try_take`: the chapter's `EventCounter` turned into a
//! dispenser of numbered tickets that hands out `0..limit`, each exactly
//! once, to any number of threads, and then says no without counting any
//! further. Check it with `cargo exercise ch07`.

use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;

/// Numbered tickets, `0..limit`, for many threads at once.
pub struct Tickets {
    next: AtomicU64,
    limit: u64,
}

impl Tickets {
    pub fn new(limit: u64) -> Self {
        Tickets {
            next: AtomicU64::new(0),
            limit,
        }
    }

    /// How many tickets there are.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// How many tickets have been handed out: never more than `limit`.
    pub fn issued(&self) -> u64 {
        self.next.load(Relaxed)
    }

    /// The next ticket, or `None` once all `limit` have been handed out.
    /// A call that returns `None` leaves the counter as it found it.
    pub fn try_take(&self) -> Option<u64> {
        // Your code here: one atomic read-modify-write decides, and only
        // when a ticket is left.
        todo!()
    }
}
