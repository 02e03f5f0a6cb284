// Mandelbrot in WGSL: one invocation per pixel counts the iterations of
// z = z*z + c before |z| > 2, up to max_iter (points of the set never escape).
struct Params {
    width: u32,
    height: u32,
    max_iter: u32,
    x_min: f32,
    y_min: f32,
    step: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> iterations: array<u32>;

@compute @workgroup_size(16, 16)
fn mandelbrot(@builtin(global_invocation_id) id: vec3<u32>) {
    let col = id.x;
    let row = id.y;
    if col >= params.width || row >= params.height {
        return;
    }
    let cx = params.x_min + (f32(col) + 0.5) * params.step;
    let cy = params.y_min + (f32(row) + 0.5) * params.step;
    var x = 0.0;
    var y = 0.0;
    var i = 0u;
    while i < params.max_iter {
        let x2 = x * x;
        let y2 = y * y;
        if x2 + y2 > 4.0 {
            break;
        }
        y = 2.0 * x * y + cy;
        x = x2 - y2 + cx;
        i = i + 1u;
    }
    iterations[row * params.width + col] = i;
}
