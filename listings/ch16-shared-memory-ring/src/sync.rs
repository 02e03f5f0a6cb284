//! The atomics the ring is built from: loom's when the model checker runs
//! (`RUSTFLAGS="--cfg loom"`), the standard library's otherwise. Loom can
//! only explore orderings of operations it sees, so the ring must use its
//! types under the model.

#[cfg(loom)]
pub use loom::sync::atomic::{AtomicU32, AtomicU64, Ordering};
#[cfg(not(loom))]
pub use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
