// SAXPY in OpenCL C: y = a*x + y, one work-item per element.
__kernel void saxpy(const float a,
                    __global const float *x,
                    __global float *y,
                    const uint n) {
    const uint i = get_global_id(0);
    // The global size is rounded up to a whole number of work-groups.
    if (i < n) {
        y[i] = a * x[i] + y[i];
    }
}
