// Sum in CUDA C: each block adds its 256 values in shared memory
// and writes one partial sum; the host adds the partial sums.
#define GROUP_SIZE 256

extern "C" __global__ void reduce_sum(const unsigned int *values,
                                      unsigned int *partial,
                                      const unsigned int n) {
    __shared__ unsigned int scratch[GROUP_SIZE];
    const unsigned int lid = threadIdx.x;
    const unsigned int i = blockIdx.x * blockDim.x + lid;
    scratch[lid] = i < n ? values[i] : 0;
    __syncthreads();
    // A tree: 128 additions, then 64, ... then 1; a barrier between levels.
    for (unsigned int stride = GROUP_SIZE / 2; stride > 0; stride /= 2) {
        if (lid < stride) {
            scratch[lid] += scratch[lid + stride];
        }
        __syncthreads();
    }
    if (lid == 0) {
        partial[blockIdx.x] = scratch[0];
    }
}
