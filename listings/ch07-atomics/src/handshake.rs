//! SeqCst: two threads that must not both miss each other.

use std::sync::atomic::Ordering::{Acquire, Relaxed, Release, SeqCst};

use crate::sync::{AtomicBool, fence};

// ANCHOR: handshake
/// Two parties, 0 and 1. Each raises its own flag, then looks at the other's.
#[derive(Default)]
pub struct Handshake {
    flags: [AtomicBool; 2],
}

impl Handshake {
    /// Raises `me`'s flag and returns whether the other's was already up.
    /// The `SeqCst` fence puts all such fences in one total order: whichever
    /// party's fence comes second must see the other's flag, so two calls
    /// never both return `false`.
    pub fn arrive(&self, me: usize) -> bool {
        self.flags[me].store(true, Relaxed);
        fence(SeqCst);
        self.flags[1 - me].load(Relaxed)
    }
}
// ANCHOR_END: handshake

// ANCHOR: wrong
impl Handshake {
    /// The same with Release and Acquire only — WRONG for this purpose.
    /// Release orders what comes *before* the store; Acquire what comes
    /// *after* the load. Nothing stops this thread's load from being
    /// answered before its own store is visible to the other thread, so both
    /// parties can read `false`.
    pub fn arrive_release_acquire(&self, me: usize) -> bool {
        self.flags[me].store(true, Release);
        self.flags[1 - me].load(Acquire)
    }
}
// ANCHOR_END: wrong
