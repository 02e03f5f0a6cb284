// Inclusive scan in CUDA C, in two kernels. scan_groups: each block scans its
// 256 values in shared memory and records its total. The host turns the totals
// into one offset per block (a scan of a few thousand numbers); add_offsets
// adds them.
#define GROUP_SIZE 256

extern "C" __global__ void scan_groups(const unsigned int *values,
                                       unsigned int *out,
                                       unsigned int *totals,
                                       const unsigned int n) {
    __shared__ unsigned int scratch[GROUP_SIZE];
    const unsigned int lid = threadIdx.x;
    const unsigned int i = blockIdx.x * blockDim.x + lid;
    scratch[lid] = i < n ? values[i] : 0;
    __syncthreads();
    // Hillis-Steele: after the step with offset d, scratch[j] holds the sum of
    // 2d values.
    for (unsigned int offset = 1; offset < GROUP_SIZE; offset *= 2) {
        const unsigned int add = lid >= offset ? scratch[lid - offset] : 0;
        __syncthreads();
        scratch[lid] += add;
        __syncthreads();
    }
    if (i < n) {
        out[i] = scratch[lid];
    }
    if (lid == GROUP_SIZE - 1) {
        totals[blockIdx.x] = scratch[lid];
    }
}

extern "C" __global__ void add_offsets(unsigned int *out,
                                       const unsigned int *offsets,
                                       const unsigned int n) {
    const unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        out[i] += offsets[blockIdx.x];
    }
}
