//! The atomics, threads and cells the algorithms use: the standard library's
//! normally, loom's under `--cfg loom`, so that the loom models in
//! `tests/loom.rs` check the very code the program runs.

#[cfg(loom)]
pub use loom::sync::Arc;
#[cfg(loom)]
pub use loom::sync::atomic::{AtomicBool, AtomicU64, fence};
#[cfg(loom)]
pub use loom::thread;

#[cfg(not(loom))]
pub use std::sync::Arc;
#[cfg(not(loom))]
pub use std::sync::atomic::{AtomicBool, AtomicU64, fence};
#[cfg(not(loom))]
pub use std::thread;

/// A cell for data that a lock protects. loom's version records every
/// access, from `get_mut` until the `MutPtr` it returns is dropped, and
/// reports two unsynchronised ones as a data race; the standard one is a thin
/// wrapper with the same methods, so the spinlock is written once.
#[cfg(loom)]
pub use loom::cell::{MutPtr, UnsafeCell};

#[cfg(not(loom))]
#[derive(Debug)]
pub struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    pub fn new(value: T) -> Self {
        UnsafeCell(std::cell::UnsafeCell::new(value))
    }

    /// A raw pointer to the value, for a lock's guard to hold.
    pub fn get_mut(&self) -> MutPtr<T> {
        MutPtr(self.0.get())
    }
}

/// A raw pointer to the value of an `UnsafeCell`.
#[cfg(not(loom))]
#[derive(Debug)]
pub struct MutPtr<T>(*mut T);

#[cfg(not(loom))]
impl<T> MutPtr<T> {
    /// # Safety
    /// No other access to the value may overlap the returned reference (the
    /// lock's job).
    #[allow(clippy::mut_from_ref)] // a raw pointer, like loom's `MutPtr`
    pub unsafe fn deref(&self) -> &mut T {
        // SAFETY: the pointer comes from a live cell; the caller promises
        // exclusive access.
        unsafe { &mut *self.0 }
    }
}
