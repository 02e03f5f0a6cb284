// Sum in WGSL: each workgroup adds its 256 values in workgroup memory
// and writes one partial sum; the host adds the partial sums. The workgroups
// form a grid of rows, numbered row by row, as in saxpy.wgsl.
struct Params {
    n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<u32>;
@group(0) @binding(2) var<storage, read_write> partial: array<u32>;

var<workgroup> scratch: array<u32, 256>;

@compute @workgroup_size(256)
fn reduce_sum(
    @builtin(workgroup_id) group_id: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
) {
    let group = group_id.y * groups.x + group_id.x;
    let i = group * 256u + lid.x;
    var value = 0u;
    if i < params.n {
        value = values[i];
    }
    scratch[lid.x] = value;
    workgroupBarrier();
    // A tree: 128 additions, then 64, ... then 1; a barrier between levels.
    for (var stride = 128u; stride > 0u; stride = stride / 2u) {
        if lid.x < stride {
            scratch[lid.x] = scratch[lid.x] + scratch[lid.x + stride];
        }
        workgroupBarrier();
    }
    if lid.x == 0u {
        // Past the last value (the rest of the grid's last row) that is 0.
        partial[group] = scratch[0];
    }
}
