//! Kernels that are limited by memory and kernels that are limited by
//! arithmetic, each with its count of bytes moved and floating-point
//! operations done, so a run can place them on a roofline.

use rayon::prelude::*;

pub mod hardware;
pub mod plot;

/// The scalar of STREAM's scale and triad kernels.
pub const Q: f64 = 3.0;

/// Three arrays, as in STREAM: every kernel reads one or two and writes one.
pub struct Arrays {
    pub a: Vec<f64>,
    pub b: Vec<f64>,
    pub c: Vec<f64>,
}

impl Arrays {
    pub fn new(len: usize) -> Self {
        Arrays {
            a: (0..len).map(|i| (i % 1000) as f64 * 1e-3).collect(),
            b: vec![2.0; len],
            c: vec![0.0; len],
        }
    }
}

// ANCHOR: stream
/// The four STREAM kernels. Each does at most one or two floating-point
/// operations per 16 or 24 bytes it moves: memory, not arithmetic, sets
/// their speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// `c[i] = a[i]`: 16 bytes, no arithmetic.
    Copy,
    /// `b[i] = q * c[i]`: 16 bytes, 1 operation.
    Scale,
    /// `c[i] = a[i] + b[i]`: 24 bytes, 1 operation.
    Add,
    /// `a[i] = b[i] + q * c[i]`: 24 bytes, 2 operations.
    Triad,
}

impl Stream {
    pub const ALL: [Stream; 4] =
        [Stream::Copy, Stream::Scale, Stream::Add, Stream::Triad];

    pub fn run(self, arrays: &mut Arrays) {
        let Arrays { a, b, c } = arrays;
        match self {
            Stream::Copy => {
                c.par_iter_mut().zip(&*a).for_each(|(c, a)| *c = *a)
            }
            Stream::Scale => {
                b.par_iter_mut().zip(&*c).for_each(|(b, c)| *b = Q * c)
            }
            Stream::Add => c
                .par_iter_mut()
                .zip(a.par_iter().zip(&*b))
                .for_each(|(c, (a, b))| *c = a + b),
            Stream::Triad => a
                .par_iter_mut()
                .zip(b.par_iter().zip(&*c))
                .for_each(|(a, (b, c))| *a = b + Q * c),
        }
    }

    /// Bytes read and written per element (8-byte `f64`s).
    pub fn bytes_per_element(self) -> f64 {
        match self {
            Stream::Copy | Stream::Scale => 16.0,
            Stream::Add | Stream::Triad => 24.0,
        }
    }

    /// Bytes the memory really moves per element: a store to a line that
    /// is not in cache first reads the line (write-allocate), so each array
    /// written costs a read and a write, 8 bytes more than STREAM counts.
    pub fn traffic_per_element(self) -> f64 {
        self.bytes_per_element() + WRITE_ALLOCATE
    }

    pub fn flops_per_element(self) -> f64 {
        match self {
            Stream::Copy => 0.0,
            Stream::Scale | Stream::Add => 1.0,
            Stream::Triad => 2.0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Stream::Copy => "copy",
            Stream::Scale => "scale",
            Stream::Add => "add",
            Stream::Triad => "triad",
        }
    }
}
// ANCHOR_END: stream

/// The bytes a store costs beyond what STREAM counts: the read of the line
/// it lands in, one `f64` per element written.
pub const WRITE_ALLOCATE: f64 = 8.0;

// ANCHOR: polynomial
/// `out[i] = p(x[i])` for a polynomial with these coefficients, by Horner's
/// rule: one multiply and one add per coefficient for the same 16 bytes
/// moved. More coefficients raise the arithmetic intensity (operations per
/// byte) until arithmetic, not memory, sets the speed.
pub fn polynomial(coefficients: &[f64], x: &[f64], out: &mut [f64]) {
    out.par_chunks_mut(LANES)
        .zip(x.par_chunks(LANES))
        .for_each(|(out, x)| match (out.try_into(), x.try_into()) {
            (Ok(out), Ok(x)) => horner_lanes(coefficients, x, out),
            _ => out
                .iter_mut()
                .zip(x)
                .for_each(|(out, &x)| *out = horner(coefficients, x)),
        });
}

/// Elements evaluated side by side. One element's Horner steps form a chain,
/// each waiting for the last; 16 independent chains keep the multipliers
/// and adders busy, and the compiler turns the inner loop into vector code.
pub const LANES: usize = 16;

fn horner_lanes(
    coefficients: &[f64],
    x: &[f64; LANES],
    out: &mut [f64; LANES],
) {
    let mut acc = [0.0; LANES];
    for &c in coefficients.iter().rev() {
        for lane in 0..LANES {
            acc[lane] = acc[lane] * x[lane] + c;
        }
    }
    *out = acc;
}

/// One element, the plain way: the same operations in the same order, so
/// the result is bit for bit the same as a lane's.
pub fn horner(coefficients: &[f64], x: f64) -> f64 {
    coefficients.iter().rev().fold(0.0, |acc, &c| acc * x + c)
}
// ANCHOR_END: polynomial

/// The coefficients of `1 + x/2 + x²/3 + …` up to `x^degree`.
pub fn coefficients(degree: usize) -> Vec<f64> {
    (0..=degree).map(|k| 1.0 / (k + 1) as f64).collect()
}

/// Operations and bytes per element of a polynomial of `degree`: a
/// multiply and an add per coefficient; one `f64` read, one written.
pub fn polynomial_cost(degree: usize) -> (f64, f64) {
    (2.0 * (degree + 1) as f64, 16.0)
}

/// The bytes a polynomial really moves per element: the read of `x`, and
/// the write of `out` with its write-allocate read.
pub const POLYNOMIAL_TRAFFIC: f64 = 16.0 + WRITE_ALLOCATE;

// ANCHOR: evaluations
/// The same polynomial evaluated five ways, to separate what the lanes,
/// the vector width and fusing a multiply with its add each change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evaluation {
    /// One element at a time: every step waits for the step before.
    OneChain,
    /// [`polynomial`]: sixteen chains, a multiply and an add per step, in
    /// the vectors this build enables (SSE2 by default).
    Lanes,
    /// Sixteen chains with `f64::mul_add`: one rounding per step. Without
    /// the `fma` target feature this is a call to the C library's `fma`.
    LanesFused,
    /// Sixteen chains, multiply and add, compiled for AVX: what
    /// `-C target-cpu=native` gives this loop (Rust never fuses `a * b + c`
    /// on its own, since the fused result rounds differently).
    LanesAvx,
    /// Sixteen chains with `f64::mul_add` compiled for AVX and FMA.
    LanesAvxFma,
}
// ANCHOR_END: evaluations

impl Evaluation {
    pub const ALL: [Evaluation; 5] = [
        Evaluation::OneChain,
        Evaluation::Lanes,
        Evaluation::LanesFused,
        Evaluation::LanesAvx,
        Evaluation::LanesAvxFma,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Evaluation::OneChain => "one chain per element",
            Evaluation::Lanes => "16 chains, mul + add",
            Evaluation::LanesFused => "16 chains, f64::mul_add",
            Evaluation::LanesAvx => "16 chains, mul + add, AVX",
            Evaluation::LanesAvxFma => "16 chains, f64::mul_add, AVX + FMA",
        }
    }

    /// Whether the fused rounding is used: then the result is
    /// [`horner_fused`]'s, otherwise [`horner`]'s.
    pub fn fused(self) -> bool {
        matches!(self, Evaluation::LanesFused | Evaluation::LanesAvxFma)
    }

    /// Whether this processor can run it: the AVX variants need the
    /// extensions at run time, whatever this build was compiled for.
    pub fn available(self) -> bool {
        self.available_with(avx_available(false), avx_available(true))
    }

    /// Whether it runs on a processor that has AVX (`avx`), and AVX with
    /// FMA (`avx_fma`).
    pub fn available_with(self, avx: bool, avx_fma: bool) -> bool {
        match self {
            Evaluation::LanesAvx => avx,
            Evaluation::LanesAvxFma => avx_fma,
            _ => true,
        }
    }

    /// Evaluates the polynomial for every `x` into `out`; a variant that
    /// is not [`available`](Self::available) does nothing.
    pub fn run(self, coefficients: &[f64], x: &[f64], out: &mut [f64]) {
        match self {
            Evaluation::OneChain => out
                .par_iter_mut()
                .zip(x)
                .for_each(|(out, &x)| *out = horner(coefficients, x)),
            Evaluation::Lanes => polynomial(coefficients, x, out),
            Evaluation::LanesFused => {
                in_lanes(coefficients, x, out, true, horner_lanes_with::<true>)
            }
            Evaluation::LanesAvx | Evaluation::LanesAvxFma => {
                run_avx(self.fused(), coefficients, x, out)
            }
        }
    }
}

/// Sixteen elements at a time through `lanes`; a short last chunk one by one.
fn in_lanes(
    coefficients: &[f64],
    x: &[f64],
    out: &mut [f64],
    fused: bool,
    lanes: impl Fn(&[f64], &[f64; LANES], &mut [f64; LANES]) + Sync,
) {
    let one = if fused { horner_fused } else { horner };
    out.par_chunks_mut(LANES)
        .zip(x.par_chunks(LANES))
        .for_each(|(out, x)| match (out.try_into(), x.try_into()) {
            (Ok(out), Ok(x)) => lanes(coefficients, x, out),
            _ => out
                .iter_mut()
                .zip(x)
                .for_each(|(out, &x)| *out = one(coefficients, x)),
        });
}

/// One lane group's Horner steps, fused or not, inlined into whichever
/// function calls it so it takes that function's target features.
#[inline(always)]
fn horner_lanes_with<const FUSED: bool>(
    coefficients: &[f64],
    x: &[f64; LANES],
    out: &mut [f64; LANES],
) {
    let mut acc = [0.0_f64; LANES];
    for &c in coefficients.iter().rev() {
        for lane in 0..LANES {
            acc[lane] = if FUSED {
                acc[lane].mul_add(x[lane], c)
            } else {
                acc[lane] * x[lane] + c
            };
        }
    }
    *out = acc;
}

/// One element with one rounding per step, as `f64::mul_add` rounds.
pub fn horner_fused(coefficients: &[f64], x: f64) -> f64 {
    coefficients
        .iter()
        .rev()
        .fold(0.0, |acc, &c| acc.mul_add(x, c))
}

#[cfg(target_arch = "x86_64")]
fn avx_available(fma: bool) -> bool {
    std::is_x86_feature_detected!("avx")
        && (!fma || std::is_x86_feature_detected!("fma"))
}

#[cfg(not(target_arch = "x86_64"))]
fn avx_available(_fma: bool) -> bool {
    false
}

#[cfg(target_arch = "x86_64")]
fn run_avx(fused: bool, coefficients: &[f64], x: &[f64], out: &mut [f64]) {
    #[target_feature(enable = "avx")]
    fn lanes_avx(c: &[f64], x: &[f64; LANES], out: &mut [f64; LANES]) {
        horner_lanes_with::<false>(c, x, out)
    }
    #[target_feature(enable = "avx,fma")]
    fn lanes_avx_fma(c: &[f64], x: &[f64; LANES], out: &mut [f64; LANES]) {
        horner_lanes_with::<true>(c, x, out)
    }
    if !avx_available(fused) {
        return;
    }
    if fused {
        // SAFETY: the processor has AVX and FMA, checked above.
        in_lanes(coefficients, x, out, true, |c, x, o| unsafe {
            lanes_avx_fma(c, x, o)
        })
    } else {
        // SAFETY: the processor has AVX, checked above.
        in_lanes(coefficients, x, out, false, |c, x, o| unsafe {
            lanes_avx(c, x, o)
        })
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn run_avx(_: bool, _: &[f64], _: &[f64], _: &mut [f64]) {}

/// The roof at arithmetic intensity `intensity` (operations per byte): the
/// lower of the compute peak and what the bandwidth can feed.
pub fn roof(peak_gflops: f64, bandwidth_gbs: f64, intensity: f64) -> f64 {
    peak_gflops.min(bandwidth_gbs * intensity)
}
