//! Four small uses of atomics, one per memory ordering the chapter explains.
//! Each lives in its own module and is model-checked in `tests/loom.rs`.

pub mod counter;
pub mod handshake;
pub mod publish;
pub mod spinlock;
pub mod sync;
