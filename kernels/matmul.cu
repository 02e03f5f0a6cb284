// Tiled matrix multiply in CUDA C: C = A * B for n x n matrices, row-major.
// Each 16 x 16 block computes one 16 x 16 tile of C. It walks along A's rows
// and B's columns a tile at a time, staging both tiles in shared memory, so
// each value read from global memory is used 16 times instead of once.
#define TILE 16

extern "C" __global__ void matmul_tiled(const float *a,
                                        const float *b,
                                        float *c,
                                        const unsigned int n) {
    __shared__ float a_tile[TILE][TILE];
    __shared__ float b_tile[TILE][TILE];
    const unsigned int col = blockIdx.x * TILE + threadIdx.x;
    const unsigned int row = blockIdx.y * TILE + threadIdx.y;
    const unsigned int lx = threadIdx.x;
    const unsigned int ly = threadIdx.y;
    float sum = 0.0f;
    for (unsigned int t = 0; t < n; t += TILE) {
        // Past the edge of the matrix, load zeros: they add nothing to the sum.
        a_tile[ly][lx] = (row < n && t + lx < n) ? a[row * n + t + lx] : 0.0f;
        b_tile[ly][lx] = (t + ly < n && col < n) ? b[(t + ly) * n + col] : 0.0f;
        __syncthreads();
        for (unsigned int k = 0; k < TILE; k++) {
            sum += a_tile[ly][k] * b_tile[k][lx];
        }
        __syncthreads();
    }
    if (row < n && col < n) {
        c[row * n + col] = sum;
    }
}
