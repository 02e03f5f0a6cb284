//! Chapter 22's exercise, solved: keep what passes, in parallel.

use rayon::prelude::*;

use ch22_scan_and_sort::scan_sequential;

// ANCHOR: compact
/// The blocked scan's three phases, with a count in place of a sum: count
/// the kept elements of each block in parallel; scan the counts, so that
/// each block knows where its first kept element goes; then every block
/// writes its kept elements into its own slice of the output, in parallel.
pub fn compact(
    data: &[u64],
    keep: impl Fn(u64) -> bool + Sync,
    parts: usize,
) -> Vec<u64> {
    let block = data.len().div_ceil(parts.max(1)).max(1);
    // Phase 1: how many each block keeps.
    let mut ends: Vec<u64> = data
        .par_chunks(block)
        .map(|b| b.iter().filter(|&&x| keep(x)).count() as u64)
        .collect();
    // Phase 2: where each block's share ends, and so the next one starts.
    scan_sequential(&mut ends);
    let total = ends.last().copied().unwrap_or(0) as usize;
    let mut out = vec![0; total];
    // Phase 3: cut the output at those ends; each block fills its slice.
    let mut slices = Vec::with_capacity(ends.len());
    let mut rest = out.as_mut_slice();
    let mut start = 0;
    for &end in &ends {
        let (mine, after) = rest.split_at_mut(end as usize - start);
        slices.push(mine);
        rest = after;
        start = end as usize;
    }
    data.par_chunks(block).zip(slices).for_each(|(b, slice)| {
        let kept = b.iter().copied().filter(|&x| keep(x));
        slice.iter_mut().zip(kept).for_each(|(out, x)| *out = x);
    });
    out
}
// ANCHOR_END: compact
