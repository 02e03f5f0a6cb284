// Register-blocked matrix multiply in GLSL: C = A * B, n x n, row-major.
// A 16 x 16 workgroup computes a 64 x 64 tile of C, each invocation a 4 x 4
// block of it held in registers: four rows of C, each a vec4 of four columns.
// Per step of k an invocation reads 4 values of A and 4 of B from shared
// memory and does 16 multiply-adds with them: four times the arithmetic per
// load of the one-output kernel (matmul.comp).
#version 450
#define THREADS 16u
#define PER 4u
#define BLOCK 64u
#define DEPTH 16u
layout(local_size_x = 16, local_size_y = 16) in;

layout(set = 0, binding = 0) uniform Params { uint n; } params;
layout(set = 0, binding = 1) readonly buffer A { float a[]; };
layout(set = 0, binding = 2) readonly buffer B { float b[]; };
layout(set = 0, binding = 3) buffer C { float c[]; };

// a_tile[k * BLOCK + row], b_tile[k * BLOCK + col]: flat, because naga reads
// `float t[16][64]` as 64 arrays of 16 where GLSL means 16 arrays of 64.
shared float a_tile[DEPTH * BLOCK];
shared float b_tile[DEPTH * BLOCK];

void main() {
    uint n = params.n;
    uint lx = gl_LocalInvocationID.x;
    uint ly = gl_LocalInvocationID.y;
    uint id = ly * THREADS + lx;
    uint row0 = gl_WorkGroupID.y * BLOCK;
    uint col0 = gl_WorkGroupID.x * BLOCK;
    // acc[i][j]: row ly + 16 i, column lx + 16 j of the tile.
    vec4 acc[4] = vec4[4](vec4(0.0), vec4(0.0), vec4(0.0), vec4(0.0));
    for (uint t = 0u; t < n; t += DEPTH) {
        // 64 x 16 values of A and 16 x 64 of B, four of each per invocation;
        // zeros past the edge of the matrix.
        for (uint s = 0u; s < PER; s++) {
            uint e = id + s * THREADS * THREADS;
            uint ar = row0 + e / DEPTH;
            uint ak = t + e % DEPTH;
            a_tile[(e % DEPTH) * BLOCK + e / DEPTH] =
                (ar < n && ak < n) ? a[ar * n + ak] : 0.0;
            uint bk = t + e / BLOCK;
            uint bc = col0 + e % BLOCK;
            // Row e / BLOCK, column e % BLOCK: the flat index is e itself.
            b_tile[e] =
                (bk < n && bc < n) ? b[bk * n + bc] : 0.0;
        }
        barrier();
        for (uint k = 0u; k < DEPTH; k++) {
            uint at = k * BLOCK;
            vec4 b_reg = vec4(b_tile[at + lx], b_tile[at + lx + THREADS],
                              b_tile[at + lx + 2u * THREADS],
                              b_tile[at + lx + 3u * THREADS]);
            for (uint i = 0u; i < PER; i++) {
                acc[i] += a_tile[at + ly + i * THREADS] * b_reg;
            }
        }
        barrier();
    }
    for (uint i = 0u; i < PER; i++) {
        for (uint j = 0u; j < PER; j++) {
            uint row = row0 + ly + i * THREADS;
            uint col = col0 + lx + j * THREADS;
            if (row < n && col < n) {
                c[row * n + col] = acc[i][j];
            }
        }
    }
}
