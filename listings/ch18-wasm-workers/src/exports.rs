//! The functions the pages' JavaScript calls.
//!
//! A WebAssembly function takes and returns numbers only, so a buffer is passed
//! as its address in the module's linear memory (a pointer) and a picture as
//! three `u32`s. The functions are ordinary Rust as well: the native tests call
//! them with real pointers from several threads, exactly as the workers do in
//! the browser.

use std::slice;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::{Picture, checksum, claim_rows, render_rows};

/// A zeroed buffer of `count` 32-bit words in the module's memory, for the page
/// to fill or read (an image, the row counter, per-row claim counts, a worker's
/// stack). Words rather than bytes so that the atomics placed in it are
/// aligned.
#[unsafe(no_mangle)]
pub extern "C" fn zeroed_words(count: u32) -> *mut u32 {
    let words = vec![0u32; count as usize].into_boxed_slice();
    Box::into_raw(words).cast()
}

/// Gives back a buffer from [`zeroed_words`].
///
/// # Safety
/// `words` must come from `zeroed_words(count)` with the same `count`, and not
/// be used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn free_words(words: *mut u32, count: u32) {
    let words = std::ptr::slice_from_raw_parts_mut(words, count as usize);
    // SAFETY: the caller hands back exactly the box `zeroed_words` leaked.
    drop(unsafe { Box::from_raw(words) });
}

// ANCHOR: render_band
/// Draws rows `first_row..end_row` of the picture into `out` (RGBA, those rows
/// only): one tile of the message-passing demo, run by whichever worker
/// received the message.
///
/// # Safety
/// `out` must point to `width * 4 * (end_row - first_row)` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn render_band(
    width: u32,
    height: u32,
    max_iter: u32,
    first_row: u32,
    end_row: u32,
    out: *mut u8,
) {
    let picture = Picture {
        width,
        height,
        max_iter,
    };
    let rows = first_row..end_row.min(height);
    // SAFETY: the caller promises the buffer's size; nothing else writes it
    // meanwhile.
    let out = unsafe {
        slice::from_raw_parts_mut(out, picture.row_bytes() * rows.len())
    };
    render_rows(&picture, rows, out);
}
// ANCHOR_END: render_band

/// [`checksum`] of `len` bytes at `bytes`: how the page fingerprints what it
/// drew.
///
/// # Safety
/// `bytes` must point to `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn image_checksum(bytes: *const u8, len: u32) -> u32 {
    // SAFETY: the caller promises the length.
    checksum(unsafe { slice::from_raw_parts(bytes, len as usize) })
}

// ANCHOR: claim_and_render
/// The shared-memory demo's worker loop: take rows from the counter at
/// `next_row` until none are left, draw each into the whole-picture `image`,
/// add one to the row's entry in `claims`, and return how many rows this worker
/// drew.
///
/// Every worker runs this at once on the same memory. Two workers never write
/// the same bytes, because a row's pixels are written only by the worker that
/// took the row.
///
/// # Safety
/// `next_row` and `claims` (`height` counters) must be aligned atomics that
/// outlive the call; `image` must hold the whole picture, and only this
/// function may write it while workers run.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn claim_and_render_rows(
    width: u32,
    height: u32,
    max_iter: u32,
    next_row: *const AtomicU32,
    claims: *const AtomicU32,
    image: *mut u8,
) -> u32 {
    let picture = Picture {
        width,
        height,
        max_iter,
    };
    let row_bytes = picture.row_bytes();
    // SAFETY: the caller promises both counters are valid atomics for the call.
    let (next_row, claims) =
        unsafe { (&*next_row, slice::from_raw_parts(claims, height as usize)) };
    claim_rows(next_row, height, |row| {
        claims[row as usize].fetch_add(1, Ordering::Relaxed);
        // SAFETY: `claim_rows` hands this row to this caller alone, so no
        // other Rust code touches these bytes while `line` lives. The page's
        // JavaScript does read them meanwhile, copying the picture out on
        // every animation frame; JavaScript gives racy reads of shared memory
        // a defined, possibly torn result, so the worst it shows is a row
        // half drawn, which a later frame repaints.
        let line = unsafe {
            slice::from_raw_parts_mut(
                image.add(row as usize * row_bytes),
                row_bytes,
            )
        };
        render_rows(&picture, row..row + 1, line);
    })
}
// ANCHOR_END: claim_and_render
