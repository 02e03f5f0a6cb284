//! Kernels that are limited by memory and kernels that are limited by
//! arithmetic, each with its count of bytes moved and floating-point
//! operations done, so a run can place them on a roofline.

use rayon::prelude::*;

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

/// The roof at arithmetic intensity `intensity` (operations per byte): the
/// lower of the compute peak and what the bandwidth can feed.
pub fn roof(peak_gflops: f64, bandwidth_gbs: f64, intensity: f64) -> f64 {
    peak_gflops.min(bandwidth_gbs * intensity)
}

/// The CPU model from `/proc/cpuinfo`, or the architecture where there is
/// none: the plot names the machine that produced it.
pub fn cpu_model() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .and_then(|rest| rest.split(':').nth(1))
        .map_or(std::env::consts::ARCH, str::trim)
        .to_string()
}
