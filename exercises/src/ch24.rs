//! Chapter 24's exercise: the tiled kernel, run on the CPU.
//!
//! Write `matmul_tiled`: the tiled matrix multiply of `kernels/matmul.cl`,
//! one 16 × 16 work-group at a time, with the two tiles it stages in local
//! memory as arrays and each barrier as the end of a loop over the group's
//! work-items. Check it with `cargo exercise ch24`; it needs no GPU.

/// `C = A * B` for `n` × `n` row-major matrices, computed as the kernel
/// computes it: for every tile of `C`, walk along `A`'s rows and `B`'s
/// columns one `TILE` × `TILE` tile at a time, staging zeros past the edges.
pub fn matmul_tiled(a: &[f32], b: &[f32], n: usize) -> Vec<f32> {
    // Your code here: `gpu_reference::TILE`, and a `[[f32; TILE]; TILE]`
    // for each tile and for the group's running sums.
    todo!()
}
