//! Chapter 21's exercise: four passes in one.
//!
//! Write `stream_fused`: the four STREAM kernels of `ch21_roofline`, run in
//! their order (copy, scale, add, triad), fused into one parallel pass over
//! the arrays, and `fused_bytes_per_element`, the memory traffic of that
//! pass. Check it with `cargo exercise ch21`.

use ch21_roofline::Arrays;

/// Leaves `arrays` exactly as `Stream::ALL`, each kernel run once in turn,
/// would leave them, in one pass over memory.
pub fn stream_fused(arrays: &mut Arrays) {
    // Your code here: follow one element through the four kernels, with
    // `ch21_roofline::Q` and rayon's `par_iter_mut` and `zip`.
    todo!()
}

/// The bytes per element `stream_fused` reads and writes, counted as
/// `Stream::bytes_per_element` counts them (8-byte `f64`s, caches aside).
pub fn fused_bytes_per_element() -> f64 {
    // Your code here.
    todo!()
}
