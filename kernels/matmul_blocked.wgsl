// Register-blocked matrix multiply in WGSL: C = A * B, n x n, row-major.
// A 16 x 16 workgroup computes a 64 x 64 tile of C, each invocation a 4 x 4
// block of it held in registers: four rows of C, each a vec4 of four columns.
// Per step of k an invocation reads 4 values of A and 4 of B from workgroup
// memory and does 16 multiply-adds with them: four times the arithmetic per
// load of the one-output kernel (matmul.wgsl).
struct Params {
    n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

const THREADS: u32 = 16u; // invocations per workgroup side
const PER: u32 = 4u;      // outputs per invocation side
const BLOCK: u32 = 64u;   // THREADS * PER: the workgroup's tile of C
const DEPTH: u32 = 16u;   // the slice of k staged at a time

var<workgroup> a_tile: array<array<f32, 64>, 16>; // a_tile[k][row]
var<workgroup> b_tile: array<array<f32, 64>, 16>; // b_tile[k][col]

@compute @workgroup_size(16, 16)
fn matmul_blocked(
    @builtin(local_invocation_id) local: vec3<u32>,
    @builtin(workgroup_id) group: vec3<u32>,
) {
    let n = params.n;
    let lx = local.x;
    let ly = local.y;
    let id = ly * THREADS + lx;
    let row0 = group.y * BLOCK;
    let col0 = group.x * BLOCK;
    // acc[i][j]: row ly + 16 i, column lx + 16 j of the tile.
    var acc = array<vec4<f32>, 4>();
    for (var t = 0u; t < n; t = t + DEPTH) {
        // 64 x 16 values of A and 16 x 64 of B, four of each per invocation;
        // zeros past the edge of the matrix.
        for (var s = 0u; s < PER; s = s + 1u) {
            let e = id + s * THREADS * THREADS;
            let ar = row0 + e / DEPTH;
            let ak = t + e % DEPTH;
            var a_value = 0.0;
            if ar < n && ak < n {
                a_value = a[ar * n + ak];
            }
            a_tile[e % DEPTH][e / DEPTH] = a_value;
            let bk = t + e / BLOCK;
            let bc = col0 + e % BLOCK;
            var b_value = 0.0;
            if bk < n && bc < n {
                b_value = b[bk * n + bc];
            }
            b_tile[e / BLOCK][e % BLOCK] = b_value;
        }
        workgroupBarrier();
        for (var k = 0u; k < DEPTH; k = k + 1u) {
            let b_reg = vec4<f32>(
                b_tile[k][lx],
                b_tile[k][lx + THREADS],
                b_tile[k][lx + 2u * THREADS],
                b_tile[k][lx + 3u * THREADS],
            );
            for (var i = 0u; i < PER; i = i + 1u) {
                acc[i] = acc[i] + a_tile[k][ly + i * THREADS] * b_reg;
            }
        }
        workgroupBarrier();
    }
    for (var i = 0u; i < PER; i = i + 1u) {
        for (var j = 0u; j < PER; j = j + 1u) {
            let row = row0 + ly + i * THREADS;
            let col = col0 + lx + j * THREADS;
            if row < n && col < n {
                c[row * n + col] = acc[i][j];
            }
        }
    }
}
