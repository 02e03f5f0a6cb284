// Sum in GLSL: each workgroup adds its 256 values in shared memory
// and writes one partial sum; the host adds the partial sums. The workgroups
// form a grid of rows, numbered row by row, as in saxpy.comp.
#version 450
layout(local_size_x = 256) in;

layout(set = 0, binding = 0) uniform Params { uint n; } params;
layout(set = 0, binding = 1) readonly buffer Values { uint values[]; };
layout(set = 0, binding = 2) buffer Partial { uint partial[]; };

shared uint scratch[256];

void main() {
    uint lid = gl_LocalInvocationID.x;
    uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
    uint i = group * 256u + lid;
    scratch[lid] = i < params.n ? values[i] : 0u;
    barrier();
    // A tree: 128 additions, then 64, ... then 1; a barrier between levels.
    for (uint stride = 128u; stride > 0u; stride /= 2u) {
        if (lid < stride) {
            scratch[lid] += scratch[lid + stride];
        }
        barrier();
    }
    if (lid == 0u) {
        // Past the last value (the rest of the grid's last row) that is 0.
        partial[group] = scratch[0];
    }
}
