// Inclusive scan in GLSL, first kernel: each workgroup scans its 256 values in
// shared memory and records its total. The host turns the totals into one
// offset per group; scan_add.comp adds them. (A GLSL file has one entry point,
// `main`.) The workgroups form a grid of rows, numbered row by row, as in
// saxpy.comp.
#version 450
layout(local_size_x = 256) in;

layout(set = 0, binding = 0) uniform Params { uint n; } params;
layout(set = 0, binding = 1) buffer Out { uint out_values[]; };
layout(set = 0, binding = 2) buffer PerGroup { uint per_group[]; };
layout(set = 0, binding = 3) readonly buffer Values { uint values[]; };

shared uint scratch[256];

void main() {
    uint lid = gl_LocalInvocationID.x;
    uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
    uint i = group * 256u + lid;
    scratch[lid] = i < params.n ? values[i] : 0u;
    barrier();
    // Hillis-Steele: after the step with offset d, scratch[j] holds the sum of
    // 2d values.
    for (uint offset = 1u; offset < 256u; offset *= 2u) {
        uint add = lid >= offset ? scratch[lid - offset] : 0u;
        barrier();
        scratch[lid] += add;
        barrier();
    }
    if (i < params.n) {
        out_values[i] = scratch[lid];
    }
    if (lid == 255u) {
        per_group[group] = scratch[lid];
    }
}
