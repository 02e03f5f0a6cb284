//! One dot product, written so the compiler cannot use the vector unit, so
//! it can, and with explicit vector types; plus the vectorised one on
//! several cores. Every version returns exactly the same number for the
//! inputs of [`inputs`], whose products and sums are exact in `f32`.

use rayon::prelude::*;
use wide::f32x8;

/// Lanes of the vector versions: eight `f32`s, one 256-bit AVX register or
/// two 128-bit SSE registers.
pub const LANES: usize = 8;

/// Two vectors whose elements are small multiples of one half: every
/// product and every partial sum below 2²⁴ is exact in `f32`, so any
/// order of addition gives the same answer and the versions can be
/// compared with `==`.
pub fn inputs(len: usize) -> (Vec<f32>, Vec<f32>) {
    let x = (0..len).map(|i| (i % 4) as f32 * 0.5).collect();
    let y = (0..len).map(|i| (i % 3) as f32).collect();
    (x, y)
}

/// The largest size for which [`inputs`] keeps every sum exact.
pub const MAX_EXACT_LEN: usize = 3_000_000;

// ANCHOR: scalar
/// The plain loop. Floating-point addition is not associative, so the
/// compiler must add the products one by one in this order: one scalar
/// `addss` after another, each waiting for the last.
#[inline(never)]
pub fn dot_scalar(x: &[f32], y: &[f32]) -> f32 {
    x.iter().zip(y).map(|(x, y)| x * y).sum()
}
// ANCHOR_END: scalar

// ANCHOR: chunked
/// Eight running sums instead of one. Each lane adds in a fixed order of
/// its own, so the compiler may keep the eight sums in one vector register
/// and do eight multiplies and eight adds per instruction (`mulps`,
/// `addps`). The order of additions changed, and we said so in the code.
#[inline(never)]
pub fn dot_chunked(x: &[f32], y: &[f32]) -> f32 {
    let mut sums = [0.0f32; LANES];
    let (xs, ys) = (x.chunks_exact(LANES), y.chunks_exact(LANES));
    let tail: f32 = dot_scalar(xs.remainder(), ys.remainder());
    for (x, y) in xs.zip(ys) {
        for lane in 0..LANES {
            sums[lane] += x[lane] * y[lane];
        }
    }
    sums.iter().sum::<f32>() + tail
}
// ANCHOR_END: chunked

// ANCHOR: lanes
/// [`dot_chunked`] with `N` running sums. With `N` the width of one vector
/// register (4 `f32`s in SSE) the loop is one vector chain: the gain over
/// the plain loop is the lanes'. Each further register's worth of sums is
/// another independent chain the core overlaps: that gain is the broken
/// dependency, not SIMD.
#[inline(never)]
pub fn dot_lanes<const N: usize>(x: &[f32], y: &[f32]) -> f32 {
    let mut sums = [0.0f32; N];
    let (xs, ys) = (x.chunks_exact(N), y.chunks_exact(N));
    let tail: f32 = dot_scalar(xs.remainder(), ys.remainder());
    for (x, y) in xs.zip(ys) {
        for lane in 0..N {
            sums[lane] += x[lane] * y[lane];
        }
    }
    sums.iter().sum::<f32>() + tail
}

/// The `f32` lanes of the vector registers this build's code uses: SSE's
/// four unless `-C target-feature` or `-C target-cpu` enabled AVX or
/// AVX-512 when it was compiled.
pub fn build_f32_lanes() -> (&'static str, usize) {
    if cfg!(target_feature = "avx512f") {
        ("AVX-512", 16)
    } else if cfg!(target_feature = "avx") {
        ("AVX", 8)
    } else if cfg!(target_arch = "x86_64") {
        ("SSE", 4)
    } else {
        ("128-bit", 4)
    }
}
// ANCHOR_END: lanes

// ANCHOR: wide
/// The same eight lanes, written as vector values with the `wide` crate:
/// `f32x8` compiles to SSE or AVX instructions on stable Rust, with no
/// `unsafe` and no nightly `std::simd`.
#[inline(never)]
pub fn dot_wide(x: &[f32], y: &[f32]) -> f32 {
    let mut sums = f32x8::ZERO;
    let (xs, ys) = (x.chunks_exact(LANES), y.chunks_exact(LANES));
    let tail: f32 = dot_scalar(xs.remainder(), ys.remainder());
    for (x, y) in xs.zip(ys) {
        let x = f32x8::from(<[f32; LANES]>::try_from(x).expect("8 lanes"));
        let y = f32x8::from(<[f32; LANES]>::try_from(y).expect("8 lanes"));
        sums += x * y;
    }
    sums.reduce_add() + tail
}
// ANCHOR_END: wide

// ANCHOR: parallel
/// Both kinds of parallelism at once: rayon splits the vectors across
/// cores, and each core runs the vectorised loop on its part.
pub fn dot_parallel(x: &[f32], y: &[f32]) -> f32 {
    const PART: usize = 64 * 1024;
    x.par_chunks(PART)
        .zip(y.par_chunks(PART))
        .map(|(x, y)| dot_chunked(x, y))
        .sum()
}
// ANCHOR_END: parallel
