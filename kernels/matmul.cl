// Tiled matrix multiply in OpenCL C: C = A * B for n x n matrices, row-major.
// Each 16 x 16 work-group computes one 16 x 16 tile of C. It walks along A's
// rows and B's columns a tile at a time, staging both tiles in local memory, so
// each value read from global memory is used 16 times instead of once.
#define TILE 16

__kernel void matmul_tiled(__global const float *a,
                           __global const float *b,
                           __global float *c,
                           const uint n) {
    __local float a_tile[TILE][TILE];
    __local float b_tile[TILE][TILE];
    const uint col = get_global_id(0);
    const uint row = get_global_id(1);
    const uint lx = get_local_id(0);
    const uint ly = get_local_id(1);
    float sum = 0.0f;
    for (uint t = 0; t < n; t += TILE) {
        // Past the edge of the matrix, load zeros: they add nothing to the sum.
        a_tile[ly][lx] = (row < n && t + lx < n) ? a[row * n + t + lx] : 0.0f;
        b_tile[ly][lx] = (t + ly < n && col < n) ? b[(t + ly) * n + col] : 0.0f;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (uint k = 0; k < TILE; k++) {
            sum += a_tile[ly][k] * b_tile[k][lx];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (row < n && col < n) {
        c[row * n + col] = sum;
    }
}
