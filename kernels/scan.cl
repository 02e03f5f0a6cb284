// Inclusive scan in OpenCL C, in two kernels. scan_groups: each work-group
// scans its 256 values in local memory and records its total. The host turns
// the totals into one offset per group (a scan of a few thousand numbers);
// add_offsets adds them.
#define GROUP_SIZE 256

__kernel void scan_groups(__global const uint *values,
                          __global uint *out,
                          __global uint *totals,
                          const uint n) {
    __local uint scratch[GROUP_SIZE];
    const uint lid = get_local_id(0);
    const uint i = get_global_id(0);
    scratch[lid] = i < n ? values[i] : 0;
    barrier(CLK_LOCAL_MEM_FENCE);
    // Hillis-Steele: after the step with offset d, scratch[j] holds the sum of
    // 2d values.
    for (uint offset = 1; offset < GROUP_SIZE; offset *= 2) {
        const uint add = lid >= offset ? scratch[lid - offset] : 0;
        barrier(CLK_LOCAL_MEM_FENCE);
        scratch[lid] += add;
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (i < n) {
        out[i] = scratch[lid];
    }
    if (lid == GROUP_SIZE - 1) {
        totals[get_group_id(0)] = scratch[lid];
    }
}

__kernel void add_offsets(__global uint *out,
                          __global const uint *offsets,
                          const uint n) {
    const uint i = get_global_id(0);
    if (i < n) {
        out[i] += offsets[get_group_id(0)];
    }
}
