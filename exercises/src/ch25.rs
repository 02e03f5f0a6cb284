//! Chapter 25's exercise: what fusion does, on the CPU.
//!
//! Write `matmul_bias_relu`: `relu(a·b + c)` as one fused pass, the way
//! `kernels/matmul_bias_relu.wgsl` computes it: each output element's sum of
//! products stays in a local variable while `c` is added and the result is
//! clamped, so the product matrix is never stored. Check it with
//! `cargo exercise ch25`; it needs neither a GPU nor burn.

/// `max(a·b + c, 0)` for `n` × `n` row-major matrices, element by element,
/// without an intermediate `n` × `n` product. Rows may be computed in
/// parallel; each element's products are added in increasing `k`, as the
/// reference `gpu_reference::matmul` adds them.
pub fn matmul_bias_relu(a: &[f32], b: &[f32], c: &[f32], n: usize) -> Vec<f32> {
    // Your code here: rayon's `par_chunks_mut` over the rows of the output.
    todo!()
}
