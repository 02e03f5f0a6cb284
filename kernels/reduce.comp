// Sum in GLSL: each workgroup adds its 256 values in shared memory
// and writes one partial sum; the host adds the partial sums.
#version 450
layout(local_size_x = 256) in;

layout(set = 0, binding = 0) uniform Params { uint n; } params;
layout(set = 0, binding = 1) readonly buffer Values { uint values[]; };
layout(set = 0, binding = 2) buffer Partial { uint partial[]; };

shared uint scratch[256];

void main() {
    uint lid = gl_LocalInvocationID.x;
    uint i = gl_GlobalInvocationID.x;
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
        partial[gl_WorkGroupID.x] = scratch[0];
    }
}
