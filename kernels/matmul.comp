// Tiled matrix multiply in GLSL: C = A * B for n x n matrices, row-major. Each
// 16 x 16 workgroup computes one 16 x 16 tile of C. It walks along A's rows and
// B's columns a tile at a time, staging both tiles in shared memory, so each
// value read from global memory is used 16 times instead of once.
#version 450
#define TILE 16u
layout(local_size_x = 16, local_size_y = 16) in;

layout(set = 0, binding = 0) uniform Params { uint n; } params;
layout(set = 0, binding = 1) readonly buffer A { float a[]; };
layout(set = 0, binding = 2) readonly buffer B { float b[]; };
layout(set = 0, binding = 3) buffer C { float c[]; };

shared float a_tile[16][16];
shared float b_tile[16][16];

void main() {
    uint n = params.n;
    uint col = gl_GlobalInvocationID.x;
    uint row = gl_GlobalInvocationID.y;
    uint lx = gl_LocalInvocationID.x;
    uint ly = gl_LocalInvocationID.y;
    float sum = 0.0;
    for (uint t = 0u; t < n; t += TILE) {
        // Past the edge of the matrix, load zeros: they add nothing to the sum.
        a_tile[ly][lx] = (row < n && t + lx < n) ? a[row * n + t + lx] : 0.0;
        b_tile[ly][lx] = (t + ly < n && col < n) ? b[(t + ly) * n + col] : 0.0;
        barrier();
        for (uint k = 0u; k < TILE; k++) {
            sum += a_tile[ly][k] * b_tile[k][lx];
        }
        barrier();
    }
    if (row < n && col < n) {
        c[row * n + col] = sum;
    }
}
