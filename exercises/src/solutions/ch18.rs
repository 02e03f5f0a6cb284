//! Chapter 18's exercise, solved: claim rows a band at a time.

use std::ops::Range;
use std::sync::atomic::{AtomicU32, Ordering};

// ANCHOR: claim_bands
/// One `fetch_add` hands out `band` rows at once: a band's first row is the
/// counter's old value, and nobody else can be handed any row of it.
pub fn claim_bands(
    next_row: &AtomicU32,
    height: u32,
    band: u32,
    mut draw: impl FnMut(Range<u32>),
) -> u32 {
    let band = band.max(1);
    let mut taken = 0;
    loop {
        let first = next_row.fetch_add(band, Ordering::Relaxed);
        if first >= height {
            return taken;
        }
        // The last band stops at the picture's edge.
        let rows = first..first.saturating_add(band).min(height);
        taken += rows.len() as u32;
        draw(rows);
    }
}
// ANCHOR_END: claim_bands
