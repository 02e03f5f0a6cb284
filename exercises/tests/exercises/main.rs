//! The exercises' checks, one module per chapter, each test named after its
//! chapter so that `cargo exercise chNN` selects it. Run against the starters
//! they fail; run with the `solution` feature they pass.

mod ch02;
mod ch03;
