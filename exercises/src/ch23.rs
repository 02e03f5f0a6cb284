//! Chapter 23's exercise: another loop in eight lanes.
//!
//! Write `distance_squared_wide`: the squared Euclidean distance between two
//! vectors, `(x[0] - y[0])² + (x[1] - y[1])² + …`, with the eight lanes of
//! `wide::f32x8`, the way `ch23_simd::dot_wide` computes a dot product.
//! Check it with `cargo exercise ch23`.

/// The sum of `(x[i] - y[i])²` over the shorter of the two lengths, eight
/// elements per vector step, the elements after the last full eight added
/// one by one.
pub fn distance_squared_wide(x: &[f32], y: &[f32]) -> f32 {
    // Your code here: `wide::f32x8`, `chunks_exact` and its `remainder`,
    // `ch23_simd::LANES`.
    todo!()
}
