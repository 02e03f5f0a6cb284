//! Chapter 21's exercise, solved: four passes in one.

use rayon::prelude::*;

use ch21_roofline::{Arrays, Q};

// ANCHOR: fused
/// Copy, scale, add and triad, one element at a time: the element's `a` is
/// read once, its three new values are computed in registers, and `a`, `b`
/// and `c` are written once each. The operations, and their order, are the
/// four kernels', so the results are the same to the last bit.
pub fn stream_fused(arrays: &mut Arrays) {
    let Arrays { a, b, c } = arrays;
    a.par_iter_mut()
        .zip(b.par_iter_mut().zip(c.par_iter_mut()))
        .for_each(|(a, (b, c))| {
            let copied = *a; // copy:  c = a
            let scaled = Q * copied; // scale: b = q c
            let added = *a + scaled; // add:   c = a + b
            *a = scaled + Q * added; // triad: a = b + q c
            *b = scaled;
            *c = added;
        });
}

/// One `f64` read (`a`), three written (`a`, `b`, `c`): 32 bytes, where the
/// four separate passes move 16 + 16 + 24 + 24 = 80.
pub fn fused_bytes_per_element() -> f64 {
    32.0
}
// ANCHOR_END: fused
