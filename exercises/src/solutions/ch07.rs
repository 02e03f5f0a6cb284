//! Chapter 7's exercise, solved: a counter that stops.

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

    // ANCHOR: try_take
    /// Reads the counter, and moves it on only if it was still below the
    /// limit *and* nobody moved it meanwhile; otherwise reads again. The
    /// ticket is the value the exchange replaced, so no two threads get the
    /// same one. `Relaxed` is enough: the number is all that is handed over.
    pub fn try_take(&self) -> Option<u64> {
        let mut seen = self.next.load(Relaxed);
        while seen < self.limit {
            match self.next.compare_exchange_weak(
                seen,
                seen + 1,
                Relaxed,
                Relaxed,
            ) {
                Ok(ticket) => return Some(ticket),
                Err(now) => seen = now, // another thread won: retry
            }
        }
        None
    }
    // ANCHOR_END: try_take
}
