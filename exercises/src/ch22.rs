//! Chapter 22's exercise: keep what passes, in parallel.
//!
//! Write `compact`: the elements of `data` that `keep` accepts, in their
//! order, found by the three phases of `ch22_scan_and_sort::scan_blocked`
//! (count in parallel, scan the counts, write in parallel). Check it with
//! `cargo exercise ch22`.

/// The elements of `data` for which `keep` is true, in the order they come
/// in `data`, computed in `parts` blocks (zero parts count as one).
pub fn compact(
    data: &[u64],
    keep: impl Fn(u64) -> bool + Sync,
    parts: usize,
) -> Vec<u64> {
    // Your code here: rayon's `par_chunks` and `par_chunks_mut`, and
    // `ch22_scan_and_sort::scan_sequential` for the middle phase.
    todo!()
}
