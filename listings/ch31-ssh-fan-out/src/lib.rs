//! Chapter 31: many hosts, one command. The fan-out itself ([`fan_out`]), the
//! host list that names the machines ([`hostfile`]), and the lab that makes
//! several ssh hosts on one machine for the demonstration and the tests
//! ([`lab`]).

pub mod fan_out;
pub mod hostfile;
pub mod lab;
