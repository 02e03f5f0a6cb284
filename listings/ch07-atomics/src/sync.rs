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
/// access and reports two unsynchronised ones as a data race; the standard
/// one is a thin wrapper with the same method, so the spinlock is written
/// once.
#[cfg(loom)]
pub use loom::cell::UnsafeCell;

#[cfg(not(loom))]
#[derive(Debug)]
pub struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    pub fn new(value: T) -> Self {
        UnsafeCell(std::cell::UnsafeCell::new(value))
    }

    /// Calls `f` with a raw pointer to the value; the caller must make sure
    /// no other access overlaps (the lock's job).
    pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}
