// Mandelbrot in GLSL: one invocation per pixel counts the iterations of
// z = z*z + c before |z| > 2, up to max_iter (points of the set never escape).
#version 450
layout(local_size_x = 16, local_size_y = 16) in;

layout(set = 0, binding = 0) uniform Params {
    uint width;
    uint height;
    uint max_iter;
    float x_min;
    float y_min;
    float step;
} params;
layout(set = 0, binding = 1) buffer Iterations { uint iterations[]; };

void main() {
    uint col = gl_GlobalInvocationID.x;
    uint row = gl_GlobalInvocationID.y;
    if (col >= params.width || row >= params.height) {
        return;
    }
    float cx = params.x_min + (float(col) + 0.5) * params.step;
    float cy = params.y_min + (float(row) + 0.5) * params.step;
    float x = 0.0;
    float y = 0.0;
    uint i = 0u;
    while (i < params.max_iter) {
        float x2 = x * x;
        float y2 = y * y;
        if (x2 + y2 > 4.0) {
            break;
        }
        y = 2.0 * x * y + cy;
        x = x2 - y2 + cx;
        i++;
    }
    iterations[row * params.width + col] = i;
}
