// Inclusive scan in WGSL, in two entry points. scan_groups: each workgroup
// scans its 256 values in workgroup memory and records its total. The host
// turns the totals into one offset per group (a scan of a few thousand
// numbers); add_offsets adds them. The workgroups form a grid of rows,
// numbered row by row, as in saxpy.wgsl.
struct Params {
    n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<storage, read_write> per_group: array<u32>;
@group(0) @binding(3) var<storage, read> values: array<u32>;

var<workgroup> scratch: array<u32, 256>;

@compute @workgroup_size(256)
fn scan_groups(
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
    // Hillis-Steele: after the step with offset d, scratch[j] holds the sum of
    // 2d values.
    for (var offset = 1u; offset < 256u; offset = offset * 2u) {
        var add = 0u;
        if lid.x >= offset {
            add = scratch[lid.x - offset];
        }
        workgroupBarrier();
        scratch[lid.x] = scratch[lid.x] + add;
        workgroupBarrier();
    }
    if i < params.n {
        out[i] = scratch[lid.x];
    }
    if lid.x == 255u {
        per_group[group] = scratch[lid.x];
    }
}

// Here per_group holds each group's offset, computed by the host from the
// totals.
@compute @workgroup_size(256)
fn add_offsets(
    @builtin(workgroup_id) group_id: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let group = group_id.y * groups.x + group_id.x;
    let i = group * 256u + lid;
    if i < params.n {
        out[i] = out[i] + per_group[group];
    }
}
