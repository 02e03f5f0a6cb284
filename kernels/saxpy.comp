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
    uint i = gl_GlobalInvocationID.x;
    // The dispatch is rounded up to a whole number of workgroups.
    if (i < params.n) {
        y[i] = params.a * x[i] + y[i];
    }
}
