//! One exercise per chapter, each a module: the starter you edit, with
//! `todo!()` where your code goes. `cargo exercise chNN` runs chapter NN's
//! check (tests/exercises/chNN.rs) against your module; it fails on the
//! starter and passes once the exercise is done.
//!
//! Built with the `solution` feature, every module is the book's solution from
//! `src/solutions/` instead, which is how the book's tests prove that each
//! check can be passed.

// A starter's parameters are unused, and its body is `todo!()`, until the
// reader writes it (so clippy cannot yet see why a parameter is a `&mut Vec`).
#![cfg_attr(
    not(feature = "solution"),
    allow(clippy::todo, clippy::ptr_arg, unused_variables)
)]

#[cfg_attr(feature = "solution", path = "solutions/ch01.rs")]
pub mod ch01;
#[cfg_attr(feature = "solution", path = "solutions/ch02.rs")]
pub mod ch02;
#[cfg_attr(feature = "solution", path = "solutions/ch03.rs")]
pub mod ch03;
#[cfg_attr(feature = "solution", path = "solutions/ch04.rs")]
pub mod ch04;
#[cfg_attr(feature = "solution", path = "solutions/ch05.rs")]
pub mod ch05;
#[cfg_attr(feature = "solution", path = "solutions/ch06.rs")]
pub mod ch06;
#[cfg_attr(feature = "solution", path = "solutions/ch07.rs")]
pub mod ch07;
#[cfg_attr(feature = "solution", path = "solutions/ch08.rs")]
pub mod ch08;
#[cfg_attr(feature = "solution", path = "solutions/ch09.rs")]
pub mod ch09;
#[cfg_attr(feature = "solution", path = "solutions/ch10.rs")]
pub mod ch10;
#[cfg_attr(feature = "solution", path = "solutions/ch11.rs")]
pub mod ch11;
#[cfg_attr(feature = "solution", path = "solutions/ch12.rs")]
pub mod ch12;
#[cfg_attr(feature = "solution", path = "solutions/ch13.rs")]
pub mod ch13;
#[cfg_attr(feature = "solution", path = "solutions/ch14.rs")]
pub mod ch14;
#[cfg_attr(feature = "solution", path = "solutions/ch15.rs")]
pub mod ch15;
#[cfg_attr(feature = "solution", path = "solutions/ch16.rs")]
pub mod ch16;
#[cfg_attr(feature = "solution", path = "solutions/ch17.rs")]
pub mod ch17;
#[cfg_attr(feature = "solution", path = "solutions/ch18.rs")]
pub mod ch18;
#[cfg_attr(feature = "solution", path = "solutions/ch19.rs")]
pub mod ch19;
#[cfg_attr(feature = "solution", path = "solutions/ch20.rs")]
pub mod ch20;
#[cfg_attr(feature = "solution", path = "solutions/ch21.rs")]
pub mod ch21;
#[cfg_attr(feature = "solution", path = "solutions/ch22.rs")]
pub mod ch22;
#[cfg_attr(feature = "solution", path = "solutions/ch23.rs")]
pub mod ch23;
#[cfg_attr(feature = "solution", path = "solutions/ch24.rs")]
pub mod ch24;
#[cfg_attr(feature = "solution", path = "solutions/ch25.rs")]
pub mod ch25;
#[cfg_attr(feature = "solution", path = "solutions/ch26.rs")]
pub mod ch26;
#[cfg_attr(feature = "solution", path = "solutions/ch27.rs")]
pub mod ch27;
#[cfg_attr(feature = "solution", path = "solutions/ch28.rs")]
pub mod ch28;
#[cfg_attr(feature = "solution", path = "solutions/ch29.rs")]
pub mod ch29;
#[cfg_attr(feature = "solution", path = "solutions/ch30.rs")]
pub mod ch30;
#[cfg_attr(feature = "solution", path = "solutions/ch31.rs")]
pub mod ch31;
#[cfg_attr(feature = "solution", path = "solutions/ch32.rs")]
pub mod ch32;
#[cfg_attr(feature = "solution", path = "solutions/ch33.rs")]
pub mod ch33;
