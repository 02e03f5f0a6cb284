//! Acquire and Release around a critical section: a spinlock.

use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};

use crate::sync::{AtomicBool, UnsafeCell, thread};

// ANCHOR: spinlock
/// A lock that waits by retrying instead of sleeping.
pub struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// The lock hands out the value to one thread at a time, so sharing the lock
// between threads is safe whenever sending the value is.
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    pub fn new(value: T) -> Self {
        SpinLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// Runs `f` with the value while holding the lock.
    pub fn with_lock<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        // Acquire on success: what the previous holder wrote before its
        // Release is visible to us. On failure nothing is read: Relaxed.
        while self
            .locked
            .compare_exchange_weak(false, true, Acquire, Relaxed)
            .is_err()
        {
            // More threads than cores: give the holder a chance to run.
            thread::yield_now();
        }
        // SAFETY: `locked` went from false to true in our exchange, so no
        // other thread is between these two lines.
        let result = self.value.with_mut(|value| f(unsafe { &mut *value }));
        self.locked.store(false, Release); // publish our writes to the next holder
        result
    }
}
// ANCHOR_END: spinlock
