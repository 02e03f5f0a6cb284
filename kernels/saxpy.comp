// SAXPY in GLSL: y = a*x + y, one invocation per element.
#version 450
layout(local_size_x = 256) in;

layout(set = 0, binding = 0) uniform Params {
    float a;
    uint n;
} params;
layout(set = 0, binding = 1) readonly buffer X { float x[]; };
layout(set = 0, binding = 2) buffer Y { float y[]; };

void main() {
    // A dispatch has at most 65,535 workgroups a side, so a long vector is a
    // grid of rows of workgroups: they are numbered row by row.
    uint group = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
    uint i = group * 256u + gl_LocalInvocationIndex;
    // The dispatch is rounded up to whole workgroups and whole rows.
    if (i < params.n) {
        y[i] = params.a * x[i] + y[i];
    }
}
