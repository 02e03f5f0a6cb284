//! Chapter 24's exercise, solved: the tiled kernel, run on the CPU.

use gpu_reference::TILE;

// ANCHOR: tiled
/// The kernel's body, with its two barriers turned into the ends of two loops
/// over the group's work-items `(ly, lx)`: every work-item has loaded its
/// element of both tiles before any reads them, and every one has read them
/// before the next tile overwrites them.
pub fn matmul_tiled(a: &[f32], b: &[f32], n: usize) -> Vec<f32> {
    let mut c = vec![0.0f32; n * n];
    for (group_y, group_x) in grid(n.div_ceil(TILE)) {
        let (row0, col0) = (group_y * TILE, group_x * TILE);
        // Each work-item's `sum`, kept in a register on the GPU.
        let mut sums = [[0.0f32; TILE]; TILE];
        for t in (0..n).step_by(TILE) {
            let mut a_tile = [[0.0f32; TILE]; TILE];
            let mut b_tile = [[0.0f32; TILE]; TILE];
            for (ly, lx) in grid(TILE) {
                let (row, col) = (row0 + ly, col0 + lx);
                if row < n && t + lx < n {
                    a_tile[ly][lx] = a[row * n + t + lx];
                }
                if t + ly < n && col < n {
                    b_tile[ly][lx] = b[(t + ly) * n + col];
                }
            }
            // barrier(CLK_LOCAL_MEM_FENCE)
            for (ly, lx) in grid(TILE) {
                for k in 0..TILE {
                    sums[ly][lx] += a_tile[ly][k] * b_tile[k][lx];
                }
            }
            // barrier(CLK_LOCAL_MEM_FENCE)
        }
        for (ly, lx) in grid(TILE) {
            let (row, col) = (row0 + ly, col0 + lx);
            if row < n && col < n {
                c[row * n + col] = sums[ly][lx];
            }
        }
    }
    c
}

/// Every `(y, x)` of a `side` × `side` grid, row by row.
fn grid(side: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..side).flat_map(move |y| (0..side).map(move |x| (y, x)))
}
// ANCHOR_END: tiled
