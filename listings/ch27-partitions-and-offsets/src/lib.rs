//! A log-based broker from the outside: a Kafka-protocol broker started for one
//! run, and what its topics, partitions and offsets keep.

pub mod broker;
pub mod log;
