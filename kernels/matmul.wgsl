// Tiled matrix multiply in WGSL: C = A * B for n x n matrices, row-major. Each
// 16 x 16 workgroup computes one 16 x 16 tile of C. It walks along A's rows and
// B's columns a tile at a time, staging both tiles in workgroup memory, so each
// value read from global memory is used 16 times instead of once.
struct Params {
    n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

const TILE: u32 = 16u;
var<workgroup> a_tile: array<array<f32, 16>, 16>;
var<workgroup> b_tile: array<array<f32, 16>, 16>;

@compute @workgroup_size(16, 16)
fn matmul_tiled(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
) {
    let n = params.n;
    let col = gid.x;
    let row = gid.y;
    var sum = 0.0;
    for (var t = 0u; t < n; t = t + TILE) {
        // Past the edge of the matrix, load zeros: they add nothing to the sum.
        var a_value = 0.0;
        if row < n && t + lid.x < n {
            a_value = a[row * n + t + lid.x];
        }
        var b_value = 0.0;
        if t + lid.y < n && col < n {
            b_value = b[(t + lid.y) * n + col];
        }
        a_tile[lid.y][lid.x] = a_value;
        b_tile[lid.y][lid.x] = b_value;
        workgroupBarrier();
        for (var k = 0u; k < TILE; k = k + 1u) {
            sum = sum + a_tile[lid.y][k] * b_tile[k][lid.x];
        }
        workgroupBarrier();
    }
    if row < n && col < n {
        c[row * n + col] = sum;
    }
}
