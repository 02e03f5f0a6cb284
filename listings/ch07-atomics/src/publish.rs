//! Release and Acquire: handing a message from one thread to another.

use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};

use crate::sync::{AtomicBool, AtomicU64};

// ANCHOR: publish
/// A one-message mailbox. The words of the message are plain relaxed
/// atomics; only the `ready` flag carries ordering.
#[derive(Default)]
pub struct Mailbox {
    words: [AtomicU64; 3],
    ready: AtomicBool,
}

impl Mailbox {
    /// Writes the message, then raises the flag. `Release` means: every
    /// write before this store is visible to whoever reads `true` with
    /// `Acquire`.
    pub fn publish(&self, message: [u64; 3]) {
        for (word, value) in self.words.iter().zip(message) {
            word.store(value, Relaxed);
        }
        self.ready.store(true, Release);
    }

    /// The message if it has been published. `Acquire` pairs with the
    /// `Release` above: seeing `true` means seeing all three words.
    pub fn try_read(&self) -> Option<[u64; 3]> {
        if self.ready.load(Acquire) {
            Some(self.words.each_ref().map(|word| word.load(Relaxed)))
        } else {
            None
        }
    }
}
// ANCHOR_END: publish
