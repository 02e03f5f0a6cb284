//! Chapter 4's exercise, solved: the blocked scan, on `rayon::join`.

use ch04_parallel_prefix_sum::{MODULUS, sequential_scan};

// ANCHOR: two_halves
/// The blocked scan with two parts. Each `rayon::join` says that its two
/// pieces are independent; the pool decides whether they overlap.
pub fn scan_in_two_halves(data: &mut [u64]) -> usize {
    let half = data.len().div_ceil(2);
    let (first, second) = data.split_at_mut(half);

    // Phase 1: the two running totals, independently.
    let (a, b) =
        rayon::join(|| sequential_scan(first), || sequential_scan(second));

    // Phase 2: with two parts, the offset is the first half's last value.
    let offset = first.last().copied().unwrap_or(0);

    // Phase 3: the offset added to the second half, in two pieces.
    let add = |piece: &mut [u64]| {
        for value in piece.iter_mut() {
            *value = (*value + offset) % MODULUS;
        }
    };
    let middle = second.len() / 2;
    let (left, right) = second.split_at_mut(middle);
    rayon::join(|| add(left), || add(right));
    a + b + second.len()
}
// ANCHOR_END: two_halves
