//! The GPU chapter's problems solved on the CPU, once, for every backend to be
//! checked against.
//!
//! Each kernel language (OpenCL C, WGSL, GLSL, CUDA C) gets the same inputs
//! from here and its result is compared with the reference from here: exactly
//! for integers, within [`SAXPY_RELATIVE_TOLERANCE`] for floats. The kernel
//! sources live in `kernels/` at the workspace root and are re-exported below,
//! so a listing and the chapter show the same file.

mod backend;
pub mod testing;

pub use backend::{
    Backend, COPY_RUNS, Cpu, Measured, Problem, Work, copy_rate,
};

/// Work-items per work-group in every kernel (`GROUP_SIZE` / `@workgroup_size`
/// / `local_size_x`).
pub const GROUP_SIZE: usize = 256;

/// The kernels, as the listings compile them and the chapter shows them.
pub mod kernels {
    pub const SAXPY_CL: &str = include_str!("../../../kernels/saxpy.cl");
    pub const REDUCE_CL: &str = include_str!("../../../kernels/reduce.cl");
    pub const SAXPY_WGSL: &str = include_str!("../../../kernels/saxpy.wgsl");
    pub const REDUCE_WGSL: &str = include_str!("../../../kernels/reduce.wgsl");
    pub const SAXPY_GLSL: &str = include_str!("../../../kernels/saxpy.comp");
    pub const REDUCE_GLSL: &str = include_str!("../../../kernels/reduce.comp");
    pub const SAXPY_CU: &str = include_str!("../../../kernels/saxpy.cu");
    pub const REDUCE_CU: &str = include_str!("../../../kernels/reduce.cu");
    pub const SCAN_CL: &str = include_str!("../../../kernels/scan.cl");
    pub const SCAN_WGSL: &str = include_str!("../../../kernels/scan.wgsl");
    pub const SCAN_GLSL: &str = include_str!("../../../kernels/scan.comp");
    pub const SCAN_ADD_GLSL: &str =
        include_str!("../../../kernels/scan_add.comp");
    pub const SCAN_CU: &str = include_str!("../../../kernels/scan.cu");
    pub const MATMUL_CL: &str = include_str!("../../../kernels/matmul.cl");
    pub const MATMUL_WGSL: &str = include_str!("../../../kernels/matmul.wgsl");
    pub const MATMUL_GLSL: &str = include_str!("../../../kernels/matmul.comp");
    pub const MATMUL_CU: &str = include_str!("../../../kernels/matmul.cu");
    pub const MATMUL_BLOCKED_CL: &str =
        include_str!("../../../kernels/matmul_blocked.cl");
    pub const MATMUL_BLOCKED_CU: &str =
        include_str!("../../../kernels/matmul_blocked.cu");
    pub const REDUCE_SINGLE_PASS_CL: &str =
        include_str!("../../../kernels/reduce_single_pass.cl");
    pub const REDUCE_WARP_CU: &str =
        include_str!("../../../kernels/reduce_warp.cu");
    pub const MANDELBROT_CL: &str =
        include_str!("../../../kernels/mandelbrot.cl");
    pub const MANDELBROT_WGSL: &str =
        include_str!("../../../kernels/mandelbrot.wgsl");
    pub const MANDELBROT_GLSL: &str =
        include_str!("../../../kernels/mandelbrot.comp");
    pub const MANDELBROT_CU: &str =
        include_str!("../../../kernels/mandelbrot.cu");
}

/// The side of a matrix tile, and of the 2-D work-group that computes it, in
/// matmul.
pub const TILE: usize = 16;

/// The register-blocked matrix multiply's tile of C per work-group (64 x 64),
/// computed by 16 x 16 work-items, 4 x 4 outputs each.
pub const BLOCK: usize = 64;

/// Work-groups per compute unit for a one-pass sum: enough to keep each unit
/// busy (8 x 256 = 2048 threads, a full NVIDIA SM), few enough that one atomic
/// add per work-group costs nothing.
pub const SINGLE_PASS_GROUPS_PER_UNIT: usize = 8;

/// The `a` of `y = a*x + y` in every run.
pub const SAXPY_A: f32 = 2.0;

/// How far a GPU's SAXPY may be from the CPU's, relative to the value.
///
/// The inputs are non-negative, so `a*x + y` never cancels. A GPU compiler may
/// fuse the multiply and the add into one instruction (one rounding instead of
/// two), which moves the result by at most one unit in the last place, about
/// 1.2e-7 relative for `f32`. 1e-6 leaves room for that and nothing more: a
/// wrong index or a lost element is off by far more.
pub const SAXPY_RELATIVE_TOLERANCE: f32 = 1e-6;

/// A small deterministic generator, so every backend and every run sees the
/// same data without a dependency on a random-number crate.
fn pseudo_random(n: usize, seed: u64) -> impl Iterator<Item = u32> {
    let mut state = seed;
    (0..n).map(move |_| {
        // Knuth's MMIX linear congruential generator; the high bits are the
        // good ones.
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as u32
    })
}

/// The `x` and `y` of SAXPY: `n` values each in `[0, 1)`.
pub fn saxpy_inputs(n: usize) -> (Vec<f32>, Vec<f32>) {
    let unit = |v: u32| (v % 1_000_000) as f32 / 1_000_000.0;
    let x = pseudo_random(n, 1).map(unit).collect();
    let y = pseudo_random(n, 2).map(unit).collect();
    (x, y)
}

// ANCHOR: saxpy
/// `a*x + y` on the CPU, one element after another, written into `out` — a
/// buffer made beforehand, as a kernel writes into a device buffer.
pub fn saxpy_into(a: f32, x: &[f32], y: &[f32], out: &mut [f32]) {
    for ((out, x), y) in out.iter_mut().zip(x).zip(y) {
        *out = a * x + y;
    }
}
// ANCHOR_END: saxpy

/// [`saxpy_into`] a new vector: the reference a device's result is checked
/// against.
pub fn saxpy(a: f32, x: &[f32], y: &[f32]) -> Vec<f32> {
    let mut out = vec![0.0; x.len().min(y.len())];
    saxpy_into(a, x, y, &mut out);
    out
}

/// The values to sum: `n` integers below 1000.
pub fn reduce_input(n: usize) -> Vec<u32> {
    pseudo_random(n, 3).map(|v| v % 1000).collect()
}

// ANCHOR: sum
/// The sum on the CPU, wrapping at 2^32 as `uint` does in every kernel
/// language.
pub fn sum(values: &[u32]) -> u32 {
    values.iter().fold(0u32, |total, v| total.wrapping_add(*v))
}
// ANCHOR_END: sum

// ANCHOR: scan
/// Inclusive scan on the CPU: `out[i] = values[0] + ... + values[i]`, wrapping
/// like `uint`, into a buffer made beforehand.
pub fn inclusive_scan_into(values: &[u32], out: &mut [u32]) {
    let mut total = 0u32;
    for (out, v) in out.iter_mut().zip(values) {
        total = total.wrapping_add(*v);
        *out = total;
    }
}
// ANCHOR_END: scan

/// [`inclusive_scan_into`] a new vector: the reference for a device's scan.
pub fn inclusive_scan(values: &[u32]) -> Vec<u32> {
    let mut out = vec![0; values.len()];
    inclusive_scan_into(values, &mut out);
    out
}

/// What the host does between the two scan kernels: each group's total becomes
/// the offset of the next groups (an exclusive scan of the totals).
pub fn group_offsets(totals: &[u32]) -> Vec<u32> {
    let mut offsets = Vec::with_capacity(totals.len());
    let mut running = 0u32;
    for total in totals {
        offsets.push(running);
        running = running.wrapping_add(*total);
    }
    offsets
}

/// Checks a GPU's scan against the CPU's: integers, so exactly; names the first
/// difference.
pub fn check_scan(gpu: &[u32], cpu: &[u32]) -> Result<(), String> {
    if gpu.len() != cpu.len() {
        return Err(format!(
            "{} values from the device, {} from the CPU",
            gpu.len(),
            cpu.len()
        ));
    }
    match gpu.iter().zip(cpu).position(|(g, c)| g != c) {
        None => Ok(()),
        Some(i) => Err(format!(
            "out[{i}] is {} on the device and {} on the CPU",
            gpu[i], cpu[i]
        )),
    }
}

/// Two `n` x `n` matrices, row-major, values in `[0, 1)`.
pub fn matmul_inputs(n: usize) -> (Vec<f32>, Vec<f32>) {
    saxpy_inputs(n * n)
}

// ANCHOR: matmul
/// `C = A * B` for `n` x `n` row-major matrices, the textbook triple loop, with
/// the sum over `k` in increasing order as each kernel does it.
pub fn matmul(a: &[f32], b: &[f32], n: usize) -> Vec<f32> {
    let mut c = vec![0.0f32; n * n];
    for row in 0..n {
        for k in 0..n {
            let a_value = a[row * n + k];
            // i-k-j order: the inner loop walks rows of B and C, which the
            // cache likes.
            for (c_value, b_value) in
                c[row * n..][..n].iter_mut().zip(&b[k * n..][..n])
            {
                *c_value += a_value * b_value;
            }
        }
    }
    c
}
// ANCHOR_END: matmul

/// Checks a GPU's matrix product against the CPU's.
///
/// Each element is a sum of `n` products of non-negative numbers. Any order of
/// rounding, fused or not, keeps such a sum within `n` units of `f32::EPSILON`
/// (relative) of the exact value, so two correct results are within `2 n
/// EPSILON` of each other. A wrong tile or a missing product is off by far
/// more.
pub fn check_matmul(gpu: &[f32], cpu: &[f32], n: usize) -> Result<f32, String> {
    if gpu.len() != cpu.len() {
        return Err(format!(
            "{} values from the device, {} from the CPU",
            gpu.len(),
            cpu.len()
        ));
    }
    let tolerance = 2.0 * n as f32 * f32::EPSILON;
    let mut worst = 0.0f32;
    for (i, (g, c)) in gpu.iter().zip(cpu).enumerate() {
        let error = (g - c).abs() / c.abs().max(f32::MIN_POSITIVE);
        if error.is_nan() || error > tolerance {
            return Err(format!(
                "C[{}][{}] is {g} on the device and {c} on the CPU (relative error {error:e}, \
                 tolerance {tolerance:e})",
                i / n,
                i % n
            ));
        }
        worst = worst.max(error);
    }
    Ok(worst)
}

/// Floating-point operations of an `n` x `n` matrix product: `n^3` multiplies
/// and adds.
pub fn matmul_flops(n: usize) -> f64 {
    2.0 * (n as f64).powi(3)
}

/// A FLOP rate as the book prints it: `GFLOP/s` with three significant digits.
pub fn format_gflops(flops: f64, seconds: f64) -> String {
    let rate = flops / seconds.max(f64::MIN_POSITIVE) / 1e9;
    if rate >= 100.0 {
        format!("{rate:.0} GFLOP/s")
    } else if rate >= 10.0 {
        format!("{rate:.1} GFLOP/s")
    } else {
        format!("{rate:.2} GFLOP/s")
    }
}

/// Which part of the complex plane a Mandelbrot picture shows, and how finely.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    pub width: u32,
    pub height: u32,
    pub max_iter: u32,
    /// The real part at the left edge, the imaginary part at the top edge.
    pub x_min: f32,
    pub y_min: f32,
    /// The distance between two neighbouring pixels' centres.
    pub step: f32,
}

impl View {
    /// The whole set, `-2.2 ..= 0.8` along the real axis, centred on it
    /// vertically.
    pub fn whole_set(width: u32, height: u32, max_iter: u32) -> Self {
        let step = 3.0 / width as f32;
        Self {
            width,
            height,
            max_iter,
            x_min: -2.2,
            y_min: -step * height as f32 / 2.0,
            step,
        }
    }

    pub fn pixels(&self) -> usize {
        self.width as usize * self.height as usize
    }
}

// ANCHOR: mandelbrot
/// Iterations before each pixel's point escapes, row by row: the same
/// arithmetic as the kernels, in the same order.
pub fn mandelbrot(view: &View) -> Vec<u32> {
    let mut out = Vec::with_capacity(view.pixels());
    for row in 0..view.height {
        for col in 0..view.width {
            let cx = view.x_min + (col as f32 + 0.5) * view.step;
            let cy = view.y_min + (row as f32 + 0.5) * view.step;
            let (mut x, mut y, mut i) = (0.0f32, 0.0f32, 0);
            while i < view.max_iter {
                let (x2, y2) = (x * x, y * y);
                if x2 + y2 > 4.0 {
                    break;
                }
                y = 2.0 * x * y + cy;
                x = x2 - y2 + cx;
                i += 1;
            }
            out.push(i);
        }
    }
    out
}
// ANCHOR_END: mandelbrot

/// How many pixels may differ from the CPU's picture, as a fraction of all
/// pixels.
///
/// Near the set's boundary the iteration is chaotic: a difference of one
/// rounding, such as a GPU compiler fusing `2*x*y + cy` into one multiply-add,
/// grows until the point escapes one step earlier or later, or not at all.
/// Those pixels are a thin line along the boundary; a wrong index or a broken
/// loop changes whole regions. One pixel in a hundred separates them.
pub const MANDELBROT_PIXEL_TOLERANCE: f64 = 0.01;

/// Checks a device's picture (`width` pixels a row) against the CPU's; on
/// success, how many pixels differ.
///
/// Two rules. At most [`MANDELBROT_PIXEL_TOLERANCE`] of all pixels may differ,
/// and no row or column may differ in more than half its pixels: rounding
/// leaves scattered pixels along the boundary, while a grid that misses its
/// last column or row (rounded down instead of up), or an index off by one,
/// leaves whole lines wrong, which can still be under 1% of a picture.
pub fn check_mandelbrot(
    gpu: &[u32],
    cpu: &[u32],
    width: u32,
) -> Result<usize, String> {
    if gpu.len() != cpu.len() {
        return Err(format!(
            "{} pixels from the device, {} from the CPU",
            gpu.len(),
            cpu.len()
        ));
    }
    let width = (width as usize).max(1);
    let height = cpu.len() / width;
    let mut per_column = vec![0usize; width];
    let mut per_row = vec![0usize; height.max(1)];
    let mut differ = 0;
    for (at, (g, c)) in gpu.iter().zip(cpu).enumerate() {
        if g != c {
            differ += 1;
            per_column[at % width] += 1;
            per_row[(at / width).min(height.saturating_sub(1))] += 1;
        }
    }
    let fraction = differ as f64 / cpu.len().max(1) as f64;
    if fraction > MANDELBROT_PIXEL_TOLERANCE {
        return Err(format!(
            "{differ} of {} pixels differ from the CPU's ({:.2}%, tolerance {:.0}%)",
            cpu.len(),
            fraction * 100.0,
            MANDELBROT_PIXEL_TOLERANCE * 100.0
        ));
    }
    let line = |counts: &[usize], length: usize, what: &str| match counts
        .iter()
        .position(|&count| 2 * count > length)
    {
        Some(at) => Err(format!(
            "{} of the {length} pixels of {what} {at} differ from the CPU's: a missing or \
                 shifted line, not rounding",
            counts[at]
        )),
        None => Ok(()),
    };
    line(&per_column, height, "column")?;
    line(&per_row, width, "row")?;
    Ok(differ)
}

/// A colour for an iteration count: black inside the set, then dark blue
/// through orange to white as points escape later.
pub fn colour(iterations: u32, max_iter: u32) -> [u8; 3] {
    if iterations >= max_iter {
        return [0, 0, 0];
    }
    // A square root spreads the many quickly-escaping points over more of the
    // ramp.
    let t = (iterations as f32 / max_iter as f32).sqrt();
    let channel = |centre: f32| {
        let v = (1.0 - ((t - centre) * 2.2).abs()).clamp(0.0, 1.0);
        (v * 255.0) as u8
    };
    [
        channel(0.75),
        channel(0.5),
        channel(0.2).max((t * 80.0) as u8),
    ]
}

/// Work-groups needed to cover `n` items.
pub fn groups_for(n: usize) -> usize {
    n.div_ceil(GROUP_SIZE)
}

/// Checks a GPU's SAXPY against the CPU's; on success, the largest relative
/// error seen.
pub fn check_saxpy(gpu: &[f32], cpu: &[f32]) -> Result<f32, String> {
    if gpu.len() != cpu.len() {
        return Err(format!(
            "the device returned {} values, the CPU {}",
            gpu.len(),
            cpu.len()
        ));
    }
    let mut worst = 0.0f32;
    for (i, (g, c)) in gpu.iter().zip(cpu).enumerate() {
        let error = (g - c).abs() / c.abs().max(f32::MIN_POSITIVE);
        if error.is_nan() || error > SAXPY_RELATIVE_TOLERANCE {
            return Err(format!(
                "y[{i}] is {g} on the device and {c} on the CPU (relative error {error:e}, \
                 tolerance {SAXPY_RELATIVE_TOLERANCE:e})"
            ));
        }
        worst = worst.max(error);
    }
    Ok(worst)
}

/// Checks a GPU's sum against the CPU's: integers, so exactly.
pub fn check_sum(gpu: u32, cpu: u32) -> Result<(), String> {
    if gpu == cpu {
        Ok(())
    } else {
        Err(format!("the device summed to {gpu}, the CPU to {cpu}"))
    }
}

/// Bytes a SAXPY of `n` elements moves: reads `x` and `y`, writes `y`.
pub fn saxpy_bytes(n: usize) -> usize {
    3 * n * size_of::<f32>()
}

/// Bandwidth as the book prints it: `GB/s` with three significant digits.
pub fn format_bandwidth(bytes: usize, seconds: f64) -> String {
    let gb_per_s = bytes as f64 / seconds.max(f64::MIN_POSITIVE) / 1e9;
    if gb_per_s >= 100.0 {
        format!("{gb_per_s:.0} GB/s")
    } else if gb_per_s >= 10.0 {
        format!("{gb_per_s:.1} GB/s")
    } else {
        format!("{gb_per_s:.2} GB/s")
    }
}

/// Bandwidth and how much of the device's own copy bandwidth
/// (`copy_bytes_per_second`, the practical limit for a kernel that only streams
/// memory) it reaches: `12.0 GB/s, 40% of copy`.
pub fn format_against_copy(
    bytes: usize,
    seconds: f64,
    copy_bytes_per_second: f64,
) -> String {
    let achieved = bytes as f64 / seconds.max(f64::MIN_POSITIVE);
    let percent =
        100.0 * achieved / copy_bytes_per_second.max(f64::MIN_POSITIVE);
    let bandwidth = format_bandwidth(bytes, seconds);
    if percent < 1.0 {
        format!("{bandwidth}, under 1% of copy")
    } else {
        format!("{bandwidth}, {percent:.0}% of copy")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_deterministic_and_in_range() {
        let (x, y) = saxpy_inputs(1000);
        assert_eq!((x.clone(), y.clone()), saxpy_inputs(1000));
        assert!(x.iter().chain(&y).all(|v| (0.0..1.0).contains(v)));
        assert_ne!(x, y, "x and y come from different seeds");
        assert!(reduce_input(1000).iter().all(|v| *v < 1000));
    }

    #[test]
    fn the_generator_is_knuths_mmix_lcg() {
        // The first states from seed 3, worked out apart from this code:
        // s ← 6364136223846793005 · s + 1442695040888963407 (mod 2^64),
        // value s >> 33, then mod 1000.
        assert_eq!(reduce_input(6), [59, 963, 715, 138, 204, 603]);
        // From seed 1, mod 10^6, over 10^6.
        let (x, _) = saxpy_inputs(3);
        assert_eq!(x, [0.834774, 0.944153, 0.341196]);
        // Spread over [0, 1), not bunched near 0.
        let (x, y) = saxpy_inputs(1000);
        let largest = x.iter().chain(&y).copied().fold(0.0, f32::max);
        assert!(largest > 0.99, "{largest}");
    }

    #[test]
    fn saxpy_and_sum_on_small_cases() {
        assert_eq!(saxpy(2.0, &[1.0, 0.5], &[0.25, 3.0]), vec![2.25, 4.0]);
        assert_eq!(sum(&[1, 2, 3]), 6);
        assert_eq!(sum(&[u32::MAX, 2]), 1, "wraps like uint");
    }

    #[test]
    fn checks_accept_rounding_and_reject_errors() {
        let cpu = [1.0f32, 2.0];
        let one_ulp = [1.0f32 + f32::EPSILON, 2.0];
        assert!(check_saxpy(&one_ulp, &cpu).is_ok());
        assert!(check_saxpy(&[1.0, 2.1], &cpu).is_err());
        assert!(check_saxpy(&[1.0], &cpu).is_err());
        assert!(check_saxpy(&[f32::NAN, 2.0], &cpu).is_err());
        // Relative to the CPU's value: 4 ε off 0.25 is 16 ε relative, over
        // the tolerance; ε off 0.25 is 4 ε relative, within it.
        let quarter = [0.25f32];
        assert!(check_saxpy(&[0.25 + 4.0 * f32::EPSILON], &quarter).is_err());
        assert_eq!(
            check_saxpy(&[0.25 + f32::EPSILON], &quarter),
            Ok(4.0 * f32::EPSILON)
        );
        assert!(check_sum(5, 5).is_ok());
        assert!(check_sum(5, 6).is_err());
    }

    #[test]
    fn scan_and_offsets_on_small_cases() {
        assert_eq!(inclusive_scan(&[1, 2, 3, 4]), vec![1, 3, 6, 10]);
        assert_eq!(inclusive_scan(&[u32::MAX, 2]), vec![u32::MAX, 1]);
        assert_eq!(group_offsets(&[5, 7, 1]), vec![0, 5, 12]);
        assert!(check_scan(&[1, 3], &[1, 3]).is_ok());
        assert!(check_scan(&[1, 4], &[1, 3]).unwrap_err().contains("out[1]"));
    }

    #[test]
    fn scan_in_groups_plus_offsets_is_the_scan() {
        // The two-kernel algorithm, run on the CPU: scan each group, offset by
        // the totals.
        let values = reduce_input(1000);
        let mut out = Vec::new();
        let groups: Vec<&[u32]> = values.chunks(GROUP_SIZE).collect();
        let totals: Vec<u32> = groups.iter().map(|g| sum(g)).collect();
        for (group, offset) in groups.iter().zip(group_offsets(&totals)) {
            out.extend(
                inclusive_scan(group).iter().map(|v| v.wrapping_add(offset)),
            );
        }
        assert_eq!(out, inclusive_scan(&values));
    }

    #[test]
    fn matmul_on_a_small_case_and_its_check() {
        // [1 2; 3 4] * [5 6; 7 8] = [19 22; 43 50]
        let c = matmul(&[1.0, 2.0, 3.0, 4.0], &[5.0, 6.0, 7.0, 8.0], 2);
        assert_eq!(c, vec![19.0, 22.0, 43.0, 50.0]);
        assert!(check_matmul(&[19.0, 22.0, 43.0, 50.0], &c, 2).is_ok());
        assert!(
            check_matmul(&[19.0, 22.0, 43.0, 51.0], &c, 2)
                .unwrap_err()
                .contains("C[1][1]")
        );
        assert_eq!(matmul_flops(10), 2000.0);
        assert_eq!(format_gflops(2.5e9, 1.0), "2.50 GFLOP/s");
        assert_eq!(format_gflops(2.5e9, 0.5), "5.00 GFLOP/s");
        assert_eq!(format_gflops(25e9, 1.0), "25.0 GFLOP/s");
        assert_eq!(format_gflops(250e9, 1.0), "250 GFLOP/s");
    }

    #[test]
    fn the_matmul_check_allows_2_n_epsilon_relative_and_no_more() {
        // n = 4: a tolerance of 8 ε. 2 · (1 + 8 ε) is exactly representable
        // and 8 ε away from 2, relative; 2 · (1 + 9 ε) is 9 ε away.
        let n = 4;
        let cpu = vec![2.0f32; n * n];
        let mut gpu = cpu.clone();
        gpu[5] = 2.0 * (1.0 + 8.0 * f32::EPSILON);
        assert_eq!(check_matmul(&gpu, &cpu, n), Ok(8.0 * f32::EPSILON));
        gpu[5] = 2.0 * (1.0 + 9.0 * f32::EPSILON);
        let error = check_matmul(&gpu, &cpu, n).unwrap_err();
        assert!(error.starts_with("C[1][1] is 2.0000021"), "{error}");
        assert!(check_matmul(&gpu[1..], &cpu, n).is_err(), "a value short");
    }

    #[test]
    fn mandelbrot_knows_inside_from_outside() {
        // A 3 x 1 strip through -2.2+0i .. 0.8+0i: pixel centres at -1.7, -0.7
        // and 0.3.
        let view = View {
            width: 3,
            height: 1,
            max_iter: 100,
            x_min: -2.2,
            y_min: -0.5,
            step: 1.0,
        };
        let picture = mandelbrot(&view);
        assert_eq!(picture[1], 100, "-0.7 is inside the main cardioid");
        assert!(
            picture[0] < 100 || picture[2] < 100,
            "points outside escape"
        );
        assert_eq!(mandelbrot(&View::whole_set(64, 48, 50)).len(), 64 * 48);
    }

    #[test]
    fn the_whole_set_in_six_by_four_pixels() {
        // Pixels 0.5 apart: centres at -1.95, -1.45, ..., 0.55 and at
        // -0.75, -0.25, 0.25, 0.75. The escape counts were worked out apart
        // from this code, in f32 and in f64 alike; the first, -1.95 - 0.75i,
        // is already outside the radius-2 circle after one step.
        let view = View::whole_set(6, 4, 30);
        assert_eq!((view.step, view.x_min, view.y_min), (0.5, -2.2, -1.0));
        assert_eq!(view.pixels(), 24);
        #[rustfmt::skip]
        let escapes = [
            1, 3, 4, 6, 8, 3,
            3, 5, 30, 30, 30, 4,
            3, 5, 30, 30, 30, 4,
            1, 3, 4, 6, 8, 3,
        ];
        assert_eq!(mandelbrot(&view), escapes);
    }

    #[test]
    fn c_equal_to_2_escapes_at_the_second_step() {
        // z1 = 2 lies on the circle |z| = 2, not outside it; z2 = 6 does.
        let view = View {
            width: 1,
            height: 1,
            max_iter: 10,
            x_min: 1.5,
            y_min: -0.5,
            step: 1.0,
        };
        assert_eq!(mandelbrot(&view), [2]);
    }

    #[test]
    fn mandelbrot_check_tolerates_a_thin_boundary_only() {
        let cpu = vec![5u32; 1000];
        let mut few = cpu.clone();
        few[3] = 6;
        assert_eq!(check_mandelbrot(&few, &cpu, 100), Ok(1));
        let many = vec![6u32; 1000];
        assert!(check_mandelbrot(&many, &cpu, 100).is_err());
        // A 100 × 100 picture, and copies of it with some pixels changed.
        let cpu = vec![5u32; 10_000];
        let changed = |pixels: &mut dyn Iterator<Item = usize>| {
            let mut gpu = cpu.clone();
            pixels.for_each(|at| gpu[at] = 6);
            gpu
        };
        // 1% of the pixels, scattered, passes; one more does not.
        let scattered = |count| changed(&mut (0..count).map(|k| k * 97));
        assert_eq!(check_mandelbrot(&scattered(100), &cpu, 100), Ok(100));
        let error = check_mandelbrot(&scattered(101), &cpu, 100).unwrap_err();
        assert!(error.starts_with("101 of 10000 pixels differ"), "{error}");
        // A column may differ in half its pixels (rounding along a boundary
        // that runs down it), not in more.
        let column = |count| changed(&mut (0..count).map(|row| row * 100 + 7));
        assert_eq!(check_mandelbrot(&column(50), &cpu, 100), Ok(50));
        let error = check_mandelbrot(&column(51), &cpu, 100).unwrap_err();
        assert!(
            error.starts_with("51 of the 100 pixels of column 7"),
            "{error}"
        );
    }

    #[test]
    fn colours_of_a_few_escape_times() {
        assert_eq!(colour(10, 10), [0, 0, 0], "inside the set: black");
        assert_ne!(colour(9, 10), [0, 0, 0]);
        // t = sqrt(i / max); each channel is 255 · (1 − 2.2 |t − centre|),
        // clamped and cut to an integer, with centres 0.75, 0.5 and 0.2, and
        // blue at least 80 t. Worked out in f32 apart from this code.
        assert_eq!(colour(0, 100), [0, 0, 142]);
        assert_eq!(colour(1, 100), [0, 30, 198]);
        assert_eq!(colour(4, 100), [0, 86, 255]);
        assert_eq!(colour(25, 100), [114, 255, 86]);
        assert_eq!(colour(81, 100), [170, 30, 72]);
    }

    /// A kernel that skips the last column (a grid rounded down instead of
    /// up) at 100 x 47 leaves 47 of 4700 pixels unwritten: exactly 1%, which
    /// a share alone lets through.
    #[test]
    fn mandelbrot_check_finds_a_missing_edge_column() {
        let view = View::whole_set(100, 47, 100);
        let cpu = mandelbrot(&view);
        let mut missing = cpu.clone();
        for row in 0..47 {
            missing[row * 100 + 99] = 0;
        }
        let error = check_mandelbrot(&missing, &cpu, view.width)
            .expect_err("a missing column is not rounding");
        assert!(error.contains("column 99"), "{error}");
        // And the last row of a tall picture, 47 of 4700 pixels again.
        let tall = View::whole_set(47, 100, 100);
        let cpu = mandelbrot(&tall);
        let mut missing_row = cpu.clone();
        missing_row[99 * 47..].fill(0);
        let error = check_mandelbrot(&missing_row, &cpu, tall.width)
            .expect_err("a missing row is not rounding");
        assert!(error.contains("row 99"), "{error}");
    }

    #[test]
    fn groups_cover_every_item() {
        assert_eq!(groups_for(1), 1);
        assert_eq!(groups_for(256), 1);
        assert_eq!(groups_for(257), 2);
    }

    #[test]
    fn bandwidth_is_printed_with_three_digits() {
        assert_eq!(format_bandwidth(12_000_000_000, 1.0), "12.0 GB/s");
        assert_eq!(format_bandwidth(1_500_000_000, 1.0), "1.50 GB/s");
        assert_eq!(format_bandwidth(150_000_000_000, 1.0), "150 GB/s");
        assert_eq!(format_bandwidth(6_000_000_000, 0.5), "12.0 GB/s");
        // Against a copy of 12 GB/s.
        for (bytes, seconds, text) in [
            (6_000_000_000, 1.0, "6.00 GB/s, 50% of copy"),
            (12_000_000_000, 2.0, "6.00 GB/s, 50% of copy"),
            (120_000_000, 1.0, "0.12 GB/s, 1% of copy"),
            (60_000_000, 1.0, "0.06 GB/s, under 1% of copy"),
        ] {
            assert_eq!(format_against_copy(bytes, seconds, 12e9), text);
        }
    }
}
