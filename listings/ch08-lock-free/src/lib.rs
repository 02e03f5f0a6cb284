//! Three lock-free structures: crossbeam's queues, a work-stealing
//! scheduler on crossbeam's deques, and a stack of our own on crossbeam's
//! epoch-based memory reclamation.

pub mod queues;
pub mod stealing;
pub mod treiber;
