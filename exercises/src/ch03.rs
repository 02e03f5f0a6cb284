//! Chapter 3's exercise: talk only at the end.
//!
//! Write `by_joining`: each of `workers` scoped threads counts the letters of
//! a fixed share of the documents, keeps its own totals, and hands them back
//! through the value its thread returns. Check it with `cargo exercise ch03`.

use ch03_shared_vs_messages::Counts;

/// The letter counts of all `docs`, computed by `workers` threads that share
/// nothing while they work (zero workers count as one).
pub fn by_joining(docs: &[String], workers: usize) -> Counts {
    // Your code here: `std::thread::scope`, and
    // `ch03_shared_vs_messages::count_letters` for one document.
    todo!()
}
