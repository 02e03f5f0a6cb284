//! Acquire and Release around a critical section: a spinlock.

use std::hint;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};

use crate::sync::{AtomicBool, MutPtr, UnsafeCell, thread};

// ANCHOR: spinlock
/// A lock that waits by retrying instead of sleeping.
pub struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the lock hands the value to one thread at a time, so sharing the
// lock between threads is safe whenever moving the value between them is.
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    pub fn new(value: T) -> Self {
        SpinLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// Waits until the lock is free, takes it, and returns a guard that
    /// gives access to the value and releases the lock when dropped.
    pub fn lock(&self) -> Guard<'_, T> {
        // Acquire on success: what the previous holder wrote before its
        // Release is visible to us. On failure nothing is read: Relaxed.
        while self
            .locked
            .compare_exchange_weak(false, true, Acquire, Relaxed)
            .is_err()
        {
            // Test before test-and-set: a failed exchange still takes the
            // cache line exclusive, so waiters that retried it in a loop
            // would pull the line from the holder and from each other.
            // Plain loads share the line until the holder's store.
            let mut spins = 0u32;
            while self.locked.load(Relaxed) {
                spins += 1;
                if spins.is_multiple_of(64) {
                    // More threads than cores: let the holder run.
                    thread::yield_now();
                } else {
                    hint::spin_loop();
                }
            }
        }
        Guard {
            lock: self,
            value: self.value.get_mut(),
        }
    }
}

/// Access to the locked value; dropping it releases the lock — also when
/// the holder panics, so a panic inside cannot leave the lock taken for ever.
pub struct Guard<'a, T> {
    lock: &'a SpinLock<T>,
    value: MutPtr<T>,
}

impl<T> Drop for Guard<'_, T> {
    fn drop(&mut self) {
        // Release: publish our writes to the next holder.
        self.lock.locked.store(false, Release);
    }
}

impl<T> Deref for Guard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: `locked` went from false to true in our exchange and goes
        // back only when this guard drops, so no other access overlaps.
        unsafe { self.value.deref() }
    }
}

impl<T> DerefMut for Guard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as for `deref`; `&mut self` rules out a second reference
        // through this guard.
        unsafe { self.value.deref() }
    }
}
// ANCHOR_END: spinlock
