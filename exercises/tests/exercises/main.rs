//! The exercises' checks, one module per chapter, each test named after its
//! chapter so that `cargo exercise chNN` selects it. Run against the starters
//! they fail; run with the `solution` feature they pass.

mod ch01;
mod ch02;
mod ch03;
mod ch04;
mod ch05;
mod ch06;
mod ch07;
mod ch08;
mod ch09;
mod ch10;
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
mod ch21;
mod ch22;
mod ch23;
mod ch24;
mod ch25;
mod ch26;
mod ch27;
mod ch28;
mod ch29;
mod ch30;
mod ch31;
mod ch32;
mod ch33;
