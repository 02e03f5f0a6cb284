// Register-blocked matrix multiply in OpenCL C: C = A * B, n x n, row-major.
// A 16 x 16 work-group computes a 64 x 64 tile of C, each work-item a 4 x 4
// block of it held in registers. Per step of k a work-item reads 4 values of
// A and 4 of B from local memory and does 16 multiply-adds with them: four
// times the arithmetic per local load of the one-output kernel (matmul.cl).
#define THREADS 16             // work-items per work-group side
#define PER 4                  // outputs per work-item side
#define BLOCK (THREADS * PER)  // 64: the work-group's tile of C
#define DEPTH 16               // the slice of k staged at a time

__kernel void matmul_blocked(__global const float *a,
                             __global const float *b,
                             __global float *c,
                             const uint n) {
    __local float a_tile[DEPTH][BLOCK];  // a_tile[k][row]
    __local float b_tile[DEPTH][BLOCK];  // b_tile[k][col]
    const uint lx = get_local_id(0), ly = get_local_id(1);
    const uint id = ly * THREADS + lx;
    const uint row0 = get_group_id(1) * BLOCK;
    const uint col0 = get_group_id(0) * BLOCK;
    float acc[PER][PER];
    for (uint i = 0; i < PER; i++) {
        for (uint j = 0; j < PER; j++) {
            acc[i][j] = 0.0f;
        }
    }
    for (uint t = 0; t < n; t += DEPTH) {
        // 64 x 16 values of A and 16 x 64 of B, four of each per work-item;
        // zeros past the edge of the matrix.
        for (uint s = 0; s < PER; s++) {
            const uint e = id + s * THREADS * THREADS;
            const uint ar = row0 + e / DEPTH, ak = t + e % DEPTH;
            a_tile[e % DEPTH][e / DEPTH] =
                (ar < n && ak < n) ? a[ar * n + ak] : 0.0f;
            const uint bk = t + e / BLOCK, bc = col0 + e % BLOCK;
            b_tile[e / BLOCK][e % BLOCK] =
                (bk < n && bc < n) ? b[bk * n + bc] : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (uint k = 0; k < DEPTH; k++) {
            float a_reg[PER], b_reg[PER];
            for (uint i = 0; i < PER; i++) {
                a_reg[i] = a_tile[k][ly + i * THREADS];
                b_reg[i] = b_tile[k][lx + i * THREADS];
            }
            for (uint i = 0; i < PER; i++) {
                for (uint j = 0; j < PER; j++) {
                    acc[i][j] += a_reg[i] * b_reg[j];
                }
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (uint i = 0; i < PER; i++) {
        for (uint j = 0; j < PER; j++) {
            const uint row = row0 + ly + i * THREADS;
            const uint col = col0 + lx + j * THREADS;
            if (row < n && col < n) {
                c[row * n + col] = acc[i][j];
            }
        }
    }
}
