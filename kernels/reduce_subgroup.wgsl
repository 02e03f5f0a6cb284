// Sum in one pass in WGSL with subgroup operations. Each invocation adds a
// strided run of the input (so any n fits any number of workgroups);
// subgroupAdd adds the values of a subgroup's invocations in registers, with
// no workgroup memory and no barrier; each subgroup's first invocation adds
// that into the workgroup's sum; one atomic add per workgroup puts the
// workgroup's sum into the total. The host reads one number.
// The standard asks for `enable subgroups;` first; naga 30 refuses that line
// as not yet supported and offers the built-ins to every module whose device
// has wgpu::Features::SUBGROUP, so the line is left out.
struct Params {
    n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<u32>;
@group(0) @binding(2) var<storage, read_write> total: atomic<u32>;

var<workgroup> group_sum: atomic<u32>;

@compute @workgroup_size(256)
fn reduce_subgroup(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
    @builtin(subgroup_invocation_id) lane: u32,
) {
    if lid == 0u {
        atomicStore(&group_sum, 0u);
    }
    workgroupBarrier();
    var sum = 0u;
    let stride = groups.x * 256u;
    for (var i = gid.x; i < params.n; i = i + stride) {
        sum = sum + values[i];
    }
    // Every invocation of the subgroup gets the subgroup's total. A subgroup
    // is 32 invocations on NVIDIA, 32 or 64 on AMD, 8 on lavapipe: the kernel
    // works with any size.
    sum = subgroupAdd(sum);
    if lane == 0u {
        atomicAdd(&group_sum, sum);
    }
    workgroupBarrier();
    if lid == 0u {
        atomicAdd(&total, atomicLoad(&group_sum));
    }
}
