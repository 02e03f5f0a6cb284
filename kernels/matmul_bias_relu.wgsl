// The fused chain out = relu(A * B + C) in WGSL, for n x n row-major matrices:
// the tiled matrix multiply of matmul.wgsl with the element-wise work done in
// its last line. The product never goes back to global memory; each work-item
// adds its element of C and clamps at zero while the sum is still in a
// register. Unfused, the same chain is three kernels and two extra round trips
// of an n x n matrix through memory.
struct Params {
    n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> c: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

const TILE: u32 = 16u;
var<workgroup> a_tile: array<array<f32, 16>, 16>;
var<workgroup> b_tile: array<array<f32, 16>, 16>;

@compute @workgroup_size(16, 16)
fn matmul_bias_relu(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
) {
    let n = params.n;
    let row = gid.y;
    let col = gid.x;
    var acc = 0.0;
    for (var t = 0u; t < n; t = t + TILE) {
        // Outside the matrices a work-item stages a zero, which adds nothing to
        // any sum. `select` reads before it chooses; wgpu bounds-checks every
        // index, so a read past the end gives some element of the buffer, never
        // undefined behaviour, and is dropped.
        let a_col = t + lid.x;
        let b_row = t + lid.y;
        a_tile[lid.y][lid.x] = select(0.0, a[row * n + a_col], row < n && a_col < n);
        b_tile[lid.y][lid.x] = select(0.0, b[b_row * n + col], b_row < n && col < n);
        workgroupBarrier();
        for (var k = 0u; k < TILE; k = k + 1u) {
            acc = acc + a_tile[lid.y][k] * b_tile[k][lid.x];
        }
        workgroupBarrier();
    }
    if row < n && col < n {
        // The epilogue: the two element-wise operations, fused into the
        // multiply.
        out[row * n + col] = max(acc + c[row * n + col], 0.0);
    }
}
