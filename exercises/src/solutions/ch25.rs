//! Chapter 25's exercise, solved: what fusion does, on the CPU.

use rayon::prelude::*;

// ANCHOR: fused
/// One task per row of the output, one element at a time: the sum over `k`
/// lives in a local variable (a register, as in the kernel), and the
/// epilogue — add `c`, clamp at zero — runs before it is stored. Three
/// passes over three `n` × `n` arrays become one pass that writes one.
pub fn matmul_bias_relu(a: &[f32], b: &[f32], c: &[f32], n: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; n * n];
    out.par_chunks_mut(n.max(1))
        .enumerate()
        .for_each(|(row, out)| {
            for (col, out) in out.iter_mut().enumerate() {
                let mut sum = 0.0f32;
                for k in 0..n {
                    sum += a[row * n + k] * b[k * n + col];
                }
                *out = (sum + c[row * n + col]).max(0.0);
            }
        });
    out
}
// ANCHOR_END: fused
