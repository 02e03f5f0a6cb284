// SAXPY in CUDA C: y = a*x + y, one thread per element.
extern "C" __global__ void saxpy(const float a,
                                 const float *x,
                                 float *y,
                                 const unsigned int n) {
    const unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
    // The grid is rounded up to a whole number of blocks.
    if (i < n) {
        y[i] = a * x[i] + y[i];
    }
}
