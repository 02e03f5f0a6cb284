//! Prefix sums three ways and sorting two ways: the parallel versions do
//! more work than the sequential ones, and the question is whether the
//! extra work buys time.

use rayon::prelude::*;

/// The input: pseudo-random numbers, the same for every size and seed.
pub fn input(len: usize) -> Vec<u64> {
    let mut state = 0x2545_F491_4F6C_DD1D_u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % 1_000_000
        })
        .collect()
}

// ANCHOR: sequential
/// The running total, one addition per element after the first.
pub fn scan_sequential(data: &mut [u64]) -> usize {
    for i in 1..data.len() {
        data[i] = data[i].wrapping_add(data[i - 1]);
    }
    data.len().saturating_sub(1)
}
// ANCHOR_END: sequential

// ANCHOR: naive
/// Hillis and Steele's scan: in round `k` every element adds the one
/// `2^k` places before it, all at once. After ⌈log₂ n⌉ rounds each holds
/// its prefix sum. Every round is perfectly parallel, but together they do
/// about `n log₂ n` additions instead of `n`. Returns the additions done.
pub fn scan_naive(data: &mut Vec<u64>) -> usize {
    let mut other = vec![0; data.len()];
    let (mut step, mut additions) = (1, 0);
    while step < data.len() {
        let previous = &*data;
        other.par_iter_mut().enumerate().for_each(|(i, out)| {
            *out = match i.checked_sub(step) {
                Some(j) => previous[i].wrapping_add(previous[j]),
                None => previous[i],
            };
        });
        std::mem::swap(data, &mut other);
        additions += data.len() - step;
        step *= 2;
    }
    additions
}
// ANCHOR_END: naive

// ANCHOR: blocked
/// The work-efficient scan: scan `parts` blocks in parallel, scan their
/// totals, then add each block's offset in parallel. About `2n` additions
/// whatever the number of threads.
pub fn scan_blocked(data: &mut [u64], parts: usize) -> usize {
    if data.is_empty() {
        return 0;
    }
    let block = data.len().div_ceil(parts.max(1)).max(1);
    // Phase 1: each block's own running total.
    let mut additions: usize =
        data.par_chunks_mut(block).map(scan_sequential).sum();
    // Phase 2: the offset of each block is the sum of all the blocks before it.
    let mut offsets: Vec<u64> =
        data.chunks(block).map(|b| b[b.len() - 1]).collect();
    offsets.rotate_right(1);
    offsets[0] = 0;
    additions += scan_sequential(&mut offsets);
    // Phase 3: add the offsets, every block but the first.
    data.par_chunks_mut(block).zip(offsets).skip(1).for_each(
        |(block, offset)| {
            block.iter_mut().for_each(|x| *x = x.wrapping_add(offset))
        },
    );
    additions + data.len().saturating_sub(block)
}
// ANCHOR_END: blocked
