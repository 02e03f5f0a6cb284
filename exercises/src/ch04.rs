//! Chapter 4's exercise: the blocked scan, on `rayon::join`.
//!
//! Write `scan_in_two_halves`: the chapter's blocked scan with two parts, its
//! independent pieces handed to `rayon::join` instead of threads of its own,
//! so that the pool it runs in decides whether they run at the same time.
//! Check it with `cargo exercise ch04`.

/// Replaces every element of `data` by the sum, modulo
/// `ch04_parallel_prefix_sum::MODULUS`, of itself and everything before it,
/// and returns how many additions that took.
///
/// The first half is `data[..data.len().div_ceil(2)]` and the second half the
/// rest. Phase 1 scans the halves independently; phase 3 adds the first
/// half's total to every element of the second half, in two pieces that are
/// independent too. The count is both halves' scans plus one addition per
/// element of the second half.
pub fn scan_in_two_halves(data: &mut [u64]) -> usize {
    // Your code here: `rayon::join` for each pair of independent pieces,
    // `ch04_parallel_prefix_sum::sequential_scan` for one half.
    todo!()
}
