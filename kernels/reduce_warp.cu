// Sum in one pass in CUDA C. Each thread adds a strided run of the input
// (a grid-stride loop, so any n fits any grid); each warp of 32 adds its
// threads' sums with register shuffles, no shared memory and no barrier; the
// first warp adds the block's warp sums the same way; one atomic add per
// block puts the block's sum into the total. The host reads one number.
#define GROUP_SIZE 256
#define WARP 32

__device__ unsigned int warp_sum(unsigned int value) {
    // Each step adds the value held by the lane `offset` higher: after five
    // steps lane 0 holds the sum of all 32.
    for (int offset = WARP / 2; offset > 0; offset /= 2) {
        value += __shfl_down_sync(0xffffffffu, value, offset);
    }
    return value;
}

extern "C" __global__ void reduce_warp(const unsigned int *values,
                                       unsigned int *total,
                                       const unsigned int n) {
    __shared__ unsigned int warp_sums[GROUP_SIZE / WARP];
    unsigned int sum = 0;
    for (unsigned int i = blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += blockDim.x * gridDim.x) {
        sum += values[i];
    }
    const unsigned int lane = threadIdx.x % WARP, warp = threadIdx.x / WARP;
    sum = warp_sum(sum);
    if (lane == 0) {
        warp_sums[warp] = sum;
    }
    __syncthreads();
    if (warp == 0) {
        sum = lane < GROUP_SIZE / WARP ? warp_sums[lane] : 0;
        sum = warp_sum(sum);
        if (lane == 0) {
            atomicAdd(total, sum);
        }
    }
}
