// Sum in one pass in OpenCL C. Each work-item adds a strided run of the
// input (so any n fits any number of work-groups); the work-group adds its
// work-items' sums in local memory; one atomic add per work-group puts its sum
// into the total. The host reads one number. (OpenCL's sub-group functions,
// the counterpart of CUDA's warp shuffles, need cl_khr_subgroups, which PoCL
// on the CPU does not offer: the tree here is in local memory.)
#define GROUP_SIZE 256

__kernel void reduce_single_pass(__global const uint *values,
                                 __global uint *total,
                                 const uint n) {
    __local uint scratch[GROUP_SIZE];
    const uint lid = get_local_id(0);
    uint sum = 0;
    for (uint i = get_global_id(0); i < n; i += get_global_size(0)) {
        sum += values[i];
    }
    scratch[lid] = sum;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint stride = GROUP_SIZE / 2; stride > 0; stride /= 2) {
        if (lid < stride) {
            scratch[lid] += scratch[lid + stride];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) {
        atomic_add(total, scratch[0]);
    }
}
