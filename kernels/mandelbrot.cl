// Mandelbrot in OpenCL C: one work-item per pixel counts the iterations of
// z = z*z + c before |z| > 2, up to max_iter (points of the set never escape).
__kernel void mandelbrot(__global uint *iterations,
                         const uint width,
                         const uint height,
                         const uint max_iter,
                         const float x_min,
                         const float y_min,
                         const float step) {
    const uint col = get_global_id(0);
    const uint row = get_global_id(1);
    if (col >= width || row >= height) {
        return;
    }
    const float cx = x_min + ((float)col + 0.5f) * step;
    const float cy = y_min + ((float)row + 0.5f) * step;
    float x = 0.0f;
    float y = 0.0f;
    uint i = 0;
    while (i < max_iter) {
        const float x2 = x * x;
        const float y2 = y * y;
        if (x2 + y2 > 4.0f) {
            break;
        }
        y = 2.0f * x * y + cy;
        x = x2 - y2 + cx;
        i++;
    }
    iterations[row * width + col] = i;
}
