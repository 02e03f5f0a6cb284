// SAXPY in WGSL: y = a*x + y, one invocation per element.
struct Params {
    a: f32,
    n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(256)
fn saxpy(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    // The dispatch is rounded up to a whole number of workgroups.
    if i < params.n {
        y[i] = params.a * x[i] + y[i];
    }
}
