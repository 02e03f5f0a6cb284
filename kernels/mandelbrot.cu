// Mandelbrot in CUDA C: one thread per pixel counts the iterations of
// z = z*z + c before |z| > 2, up to max_iter (points of the set never escape).
extern "C" __global__ void mandelbrot(unsigned int *iterations,
                                      const unsigned int width,
                                      const unsigned int height,
                                      const unsigned int max_iter,
                                      const float x_min,
                                      const float y_min,
                                      const float step) {
    const unsigned int col = blockIdx.x * blockDim.x + threadIdx.x;
    const unsigned int row = blockIdx.y * blockDim.y + threadIdx.y;
    if (col >= width || row >= height) {
        return;
    }
    const float cx = x_min + ((float)col + 0.5f) * step;
    const float cy = y_min + ((float)row + 0.5f) * step;
    float x = 0.0f;
    float y = 0.0f;
    unsigned int i = 0;
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
