//! Be the scheduler: small programs of two or three threads that the reader
//! steps one operation at a time, choosing which thread goes next, and an
//! enumerator of every execution with the distinct final states it reaches.
//!
//! The same Rust runs natively, where each chapter's tests compare the
//! enumerator with a loom model of the puzzle, and as WebAssembly in the
//! pages (`src/wasm.rs`), built by `cargo xtask build`.

#[cfg(feature = "loom")]
pub mod check;
mod explore;
mod json;
mod machine;
mod program;
mod puzzles;
#[cfg(target_arch = "wasm32")]
mod wasm;

pub use explore::{
    Enumeration, Stepper, describe_schedule, enumerate, reaches_goal,
};
pub use json::{outcomes_json, view_json};
pub use machine::{Move, Outcome, State, Status, View};
pub use program::{
    Goal, Model, Op, Ordering, Puzzle, Step, Test, Thread, Value,
};
pub use puzzles::{PUZZLES, puzzle};

/// The distinct final states of a puzzle as the chapters' tests write them.
pub fn outcome_set(puzzle: &Puzzle) -> std::collections::BTreeSet<String> {
    enumerate(puzzle)
        .outcomes
        .keys()
        .map(ToString::to_string)
        .collect()
}
