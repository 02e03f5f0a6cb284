// SAXPY in WGSL: y = a*x + y, one invocation per element.
struct Params {
    a: f32,
    n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(256)
fn saxpy(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) lane: u32,
) {
    // A dispatch has at most 65,535 workgroups a side, so a long vector is a
    // grid of rows of workgroups: they are numbered row by row.
    let i = (group.y * groups.x + group.x) * 256u + lane;
    // The dispatch is rounded up to whole workgroups and whole rows.
    if i < params.n {
        y[i] = params.a * x[i] + y[i];
    }
}
