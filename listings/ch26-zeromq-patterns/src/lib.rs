//! ZeroMQ's messaging patterns, one module each, on the `zmq` crate (libzmq
//! underneath).
//!
//! Every function here builds its sockets, runs the pattern to the end and
//! returns what it counted, so the program prints it and the tests check it.

pub mod high_water_marks;
pub mod pipeline;
pub mod pub_sub;
pub mod req_rep;
pub mod router_dealer;
pub mod transport;
