//! Chapter 19's exercise, solved: a reduction OpenMP has no clause for.

use rayon::prelude::*;

use ch19_openmp_to_rayon::collatz_steps;

// ANCHOR: longest_chain
/// Each number becomes a `(number, steps)` pair, and the pairs are reduced
/// with an operation that keeps the better of two: more steps, or as many
/// and a smaller number. That operation is associative (it is the maximum of
/// a total order), so any grouping of the pairs, on any number of threads,
/// gives the same winner.
pub fn longest_chain(numbers: &[u64]) -> Option<(u64, u64)> {
    numbers
        .par_iter()
        .map(|&n| (n, collatz_steps(n)))
        .reduce_with(|a, b| {
            let b_is_better = b.1 > a.1 || (b.1 == a.1 && b.0 < a.0);
            if b_is_better { b } else { a }
        })
}
// ANCHOR_END: longest_chain
