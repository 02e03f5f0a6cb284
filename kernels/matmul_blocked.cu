// Register-blocked matrix multiply in CUDA C: C = A * B, n x n, row-major.
// A 16 x 16 block computes a 64 x 64 tile of C, each thread a 4 x 4 block of
// it held in registers. Per step of k a thread reads 4 values of A and 4 of B
// from shared memory and does 16 multiply-adds with them: four times the
// arithmetic per shared load of the one-output kernel (matmul.cu).
#define THREADS 16             // threads per block side
#define PER 4                  // outputs per thread side
#define BLOCK (THREADS * PER)  // 64: the block's tile of C
#define DEPTH 16               // the slice of k staged at a time

extern "C" __global__ void matmul_blocked(const float *a,
                                          const float *b,
                                          float *c,
                                          const unsigned int n) {
    __shared__ float a_tile[DEPTH][BLOCK];  // a_tile[k][row]
    __shared__ float b_tile[DEPTH][BLOCK];  // b_tile[k][col]
    const unsigned int lx = threadIdx.x, ly = threadIdx.y;
    const unsigned int id = ly * THREADS + lx;
    const unsigned int row0 = blockIdx.y * BLOCK, col0 = blockIdx.x * BLOCK;
    float acc[PER][PER] = {};
    for (unsigned int t = 0; t < n; t += DEPTH) {
        // 64 x 16 values of A and 16 x 64 of B, four of each per thread;
        // zeros past the edge of the matrix.
#pragma unroll
        for (unsigned int s = 0; s < PER; s++) {
            const unsigned int e = id + s * THREADS * THREADS;
            const unsigned int ar = row0 + e / DEPTH, ak = t + e % DEPTH;
            a_tile[e % DEPTH][e / DEPTH] =
                (ar < n && ak < n) ? a[ar * n + ak] : 0.0f;
            const unsigned int bk = t + e / BLOCK, bc = col0 + e % BLOCK;
            b_tile[e / BLOCK][e % BLOCK] =
                (bk < n && bc < n) ? b[bk * n + bc] : 0.0f;
        }
        __syncthreads();
#pragma unroll
        for (unsigned int k = 0; k < DEPTH; k++) {
            // Rows ly, ly + 16, ...; columns lx, lx + 16, ...: neighbouring
            // threads read neighbouring columns, and write them at the end.
            float a_reg[PER], b_reg[PER];
#pragma unroll
            for (unsigned int i = 0; i < PER; i++) {
                a_reg[i] = a_tile[k][ly + i * THREADS];
                b_reg[i] = b_tile[k][lx + i * THREADS];
            }
#pragma unroll
            for (unsigned int i = 0; i < PER; i++) {
#pragma unroll
                for (unsigned int j = 0; j < PER; j++) {
                    acc[i][j] += a_reg[i] * b_reg[j];
                }
            }
        }
        __syncthreads();
    }
#pragma unroll
    for (unsigned int i = 0; i < PER; i++) {
#pragma unroll
        for (unsigned int j = 0; j < PER; j++) {
            const unsigned int row = row0 + ly + i * THREADS;
            const unsigned int col = col0 + lx + j * THREADS;
            if (row < n && col < n) {
                c[row * n + col] = acc[i][j];
            }
        }
    }
}
