// Inclusive scan in GLSL, second kernel: add each group's offset (computed by
// the host from the totals scan.comp recorded) to every value of the group.
#version 450
layout(local_size_x = 256) in;

layout(set = 0, binding = 0) uniform Params { uint n; } params;
layout(set = 0, binding = 1) buffer Out { uint out_values[]; };
layout(set = 0, binding = 2) readonly buffer PerGroup { uint per_group[]; };

void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i < params.n) {
        out_values[i] += per_group[gl_WorkGroupID.x];
    }
}
