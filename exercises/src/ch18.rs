//! Chapter 18's exercise: claim rows a band at a time.
//!
//! Write `claim_bands`: `ch18_wasm_workers::claim_rows`, with each
//! `fetch_add` claiming a band of `band` rows instead of one. Check it with
//! `cargo exercise ch18`.

use std::ops::Range;
use std::sync::atomic::AtomicU32;

/// Takes bands of up to `band` (at least 1) consecutive rows from the shared
/// counter `next_row` until none of the `height` rows are left, calling
/// `draw` on each band taken (the last one may be shorter), and says how
/// many rows this caller took.
pub fn claim_bands(
    next_row: &AtomicU32,
    height: u32,
    band: u32,
    draw: impl FnMut(Range<u32>),
) -> u32 {
    // Your code here: one `fetch_add` per band.
    todo!()
}
