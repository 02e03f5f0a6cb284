// Inclusive scan in WGSL, in two entry points. scan_groups: each workgroup
// scans its 256 values in workgroup memory and records its total. The host
// turns the totals into one offset per group (a scan of a few thousand
// numbers); add_offsets adds them.
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
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(workgroup_id) group: vec3<u32>,
) {
    var value = 0u;
    if gid.x < params.n {
        value = values[gid.x];
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
    if gid.x < params.n {
        out[gid.x] = scratch[lid.x];
    }
    if lid.x == 255u {
        per_group[group.x] = scratch[lid.x];
    }
}

// Here per_group holds each group's offset, computed by the host from the
// totals.
@compute @workgroup_size(256)
fn add_offsets(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(workgroup_id) group: vec3<u32>,
) {
    if gid.x < params.n {
        out[gid.x] = out[gid.x] + per_group[group.x];
    }
}
