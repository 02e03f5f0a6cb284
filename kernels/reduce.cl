// Sum in OpenCL C: each work-group adds its 256 values in local memory
// and writes one partial sum; the host adds the partial sums.
#define GROUP_SIZE 256

__kernel void reduce_sum(__global const uint *values,
                         __global uint *partial,
                         const uint n) {
    __local uint scratch[GROUP_SIZE];
    const uint lid = get_local_id(0);
    const uint i = get_global_id(0);
    scratch[lid] = i < n ? values[i] : 0;
    barrier(CLK_LOCAL_MEM_FENCE);
    // A tree: 128 additions, then 64, ... then 1; a barrier between levels.
    for (uint stride = GROUP_SIZE / 2; stride > 0; stride /= 2) {
        if (lid < stride) {
            scratch[lid] += scratch[lid + stride];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) {
        partial[get_group_id(0)] = scratch[0];
    }
}
