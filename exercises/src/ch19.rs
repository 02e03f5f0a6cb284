//! Chapter 19's exercise: a reduction OpenMP has no clause for.
//!
//! Write `longest_chain`: the number with the longest Collatz sequence, the
//! smallest such number when several tie, found by a rayon reduction with an
//! operation of your own. Check it with `cargo exercise ch19`.

/// The number in `numbers` whose Collatz sequence takes the most steps, with
/// that count, as `(number, steps)`; of numbers that tie, the smallest. `None`
/// when `numbers` is empty. Runs in the current rayon pool.
pub fn longest_chain(numbers: &[u64]) -> Option<(u64, u64)> {
    // Your code here: `rayon::prelude::*`, and
    // `ch19_openmp_to_rayon::collatz_steps` for one number.
    todo!()
}
