//! The exercises' checks, one module per chapter, each test named after its
//! chapter so that `cargo exercise chNN` selects it. Run against the starters
//! they fail; run with the `solution` feature they pass.

mod ch01;
mod ch02;
mod ch03;
mod ch04;
mod ch11;
mod ch12;
mod ch13;
mod ch14;
mod ch15;
mod ch16;
mod ch17;
mod ch18;
mod ch19;
mod ch20;
mod ch26;
mod ch27;
