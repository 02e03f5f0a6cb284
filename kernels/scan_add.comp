// Inclusive scan in GLSL, second kernel: add each group's offset (computed by
// the host from the totals scan.comp recorded) to every value of the group,
// on the same grid of rows of workgroups.
#version 450
layout(local_size_x = 256) in;

layout(set = 0, binding = 0) uniform Params { uint n; } params;
layout(set = 0, binding = 1) buffer Out { uint out_values[]; };
layout(set = 0, binding = 2) readonly buffer PerGroup { uint per_group[]; };

void main() {
    uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
    uint i = group * 256u + gl_LocalInvocationIndex;
    if (i < params.n) {
        out_values[i] += per_group[group];
    }
}
