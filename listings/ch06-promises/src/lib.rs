//! A value that will exist later, three ways, with threads and channels only:
//! a one-shot promise, a thread's join handle, and a pool that hands out
//! pending results.

pub mod oneshot;
pub mod pool;
