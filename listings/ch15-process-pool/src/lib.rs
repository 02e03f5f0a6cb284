//! A worker pool of processes: the parent's side (`pool`), the worker's side
//! (`worker`), and what travels between them (`protocol`, `frame`).

pub mod frame;
pub mod pool;
pub mod protocol;
pub mod worker;
