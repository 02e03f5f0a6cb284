//! The chapter's four kernels (SAXPY, sum, scan, tiled matrix multiply) twice
//! more: in WGSL, the WebGPU shading language, and in GLSL, OpenGL's and
//! Vulkan's, both run as wgpu compute pipelines. wgpu translates either
//! language (through naga) for the adapter it runs on: a GPU's Vulkan driver,
//! or lavapipe, Mesa's Vulkan implementation on the CPU. Beside them the
//! kernels that go further: a register-blocked matrix multiply in both
//! languages, and a one-pass sum with subgroup operations in WGSL where the
//! adapter has them. Every result is checked against the CPU reference.
//!
//! A library, so that this listing's program and the chapter's one program for
//! every device (`ch24-every-device`) run the same code.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use book_helpers::measure::{Summary, self_timed};
use gpu_reference::{
    BLOCK, Backend, COPY_RUNS, GROUP_SIZE, Measured, Problem, SAXPY_A, TILE,
    View, kernels,
};
use wgpu::util::{BufferInitDescriptor, DeviceExt};

/// The kernels that go further, beside the simple ones in
/// `gpu_reference::kernels`.
pub const MATMUL_BLOCKED_WGSL: &str =
    include_str!("../../../kernels/matmul_blocked.wgsl");
pub const MATMUL_BLOCKED_GLSL: &str =
    include_str!("../../../kernels/matmul_blocked.comp");
pub const REDUCE_SUBGROUP_WGSL: &str =
    include_str!("../../../kernels/reduce_subgroup.wgsl");

/// The two kernel languages wgpu reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Wgsl,
    Glsl,
}

impl Language {
    pub fn name(self) -> &'static str {
        match self {
            Language::Wgsl => "WGSL",
            Language::Glsl => "GLSL",
        }
    }
}

/// An opened adapter: the device that runs the pipelines and the queue that
/// feeds it. Cloning it clones handles to the same device.
#[derive(Clone)]
pub struct Gpu {
    device: wgpu::Device,
    queue: wgpu::Queue,
    limits: wgpu::Limits,
    info: wgpu::AdapterInfo,
    /// Whether the adapter writes timestamps from the device's own clock
    /// (`Features::TIMESTAMP_QUERY`); without them a dispatch is timed on the
    /// host, around submit and wait.
    timestamps: bool,
    /// Whether kernels may use subgroup operations (`Features::SUBGROUP`).
    subgroups: bool,
    /// Work-groups a dispatch may have along one dimension: the adapter's
    /// `max_compute_workgroups_per_dimension`, or less if asked for.
    max_groups: u32,
}

/// `name (device type, backend, driver ...)`.
pub fn describe(info: &wgpu::AdapterInfo) -> String {
    format!(
        "{} ({:?}, {:?}, driver {} {})",
        info.name,
        info.device_type,
        info.backend,
        info.driver,
        info.driver_info
    )
}

/// Every Vulkan adapter wgpu finds, in the order `--list-devices` prints them.
pub fn adapters() -> Result<Vec<wgpu::Adapter>, String> {
    // Compute needs no window, so no display handle.
    let mut descriptor = wgpu::InstanceDescriptor::new_without_display_handle();
    descriptor.backends = wgpu::Backends::VULKAN;
    let instance = wgpu::Instance::new(descriptor);
    let adapters =
        pollster::block_on(instance.enumerate_adapters(wgpu::Backends::VULKAN));
    if adapters.is_empty() {
        return Err("no Vulkan adapter found: install your GPU's Vulkan driver, or lavapipe for \
                    the CPU (Debian: apt-get install mesa-vulkan-drivers; `cargo xtask setup` does it)"
            .to_string());
    }
    Ok(adapters)
}

/// The adapter named by `--adapter`, or the first real GPU, or the first
/// adapter at all.
fn choose_adapter<'a>(
    adapters: &'a [wgpu::Adapter],
    wanted: Option<&str>,
) -> Result<&'a wgpu::Adapter, String> {
    match wanted {
        Some(part) => adapters
            .iter()
            .find(|adapter| adapter.get_info().name.contains(part))
            .ok_or_else(|| {
                let names: Vec<String> =
                    adapters.iter().map(|a| a.get_info().name).collect();
                format!(
                    "no adapter named like {part:?}; this machine has {names:?}"
                )
            }),
        None => Ok(adapters
            .iter()
            .find(|adapter| {
                matches!(
                    adapter.get_info().device_type,
                    wgpu::DeviceType::DiscreteGpu
                        | wgpu::DeviceType::IntegratedGpu
                )
            })
            .unwrap_or(&adapters[0])),
    }
}

impl Gpu {
    /// Opens the adapter whose name contains `wanted` (`llvmpipe` is lavapipe,
    /// on the CPU), or without a name the first real GPU, else the first
    /// adapter.
    pub fn open(wanted: Option<&str>) -> Result<Gpu, String> {
        let adapters = adapters()?;
        open(choose_adapter(&adapters, wanted)?)
    }

    pub fn info(&self) -> &wgpu::AdapterInfo {
        &self.info
    }

    /// Whether the adapter offers subgroup operations (wgpu's
    /// `Features::SUBGROUP`), which the one-pass sum needs.
    pub fn has_subgroups(&self) -> bool {
        self.subgroups
    }

    /// The same device, dispatching at most `limit` work-groups along one
    /// dimension instead of the adapter's limit: the grid of rows that a
    /// long vector needs then shows at small sizes.
    pub fn with_workgroup_limit(mut self, limit: u32) -> Result<Gpu, String> {
        let most = self.limits.max_compute_workgroups_per_dimension;
        if limit == 0 || limit > most {
            return Err(format!(
                "a work-group limit of {limit}: this adapter allows 1 to {most} a dimension"
            ));
        }
        self.max_groups = limit;
        Ok(self)
    }

    /// The largest number of work-groups one dispatch has along one
    /// dimension here.
    pub fn workgroup_limit(&self) -> u32 {
        self.max_groups
    }

    /// Which clock times the kernels on this adapter.
    pub fn clock(&self) -> &'static str {
        if self.timestamps {
            "kernels timed by device timestamps"
        } else {
            "no timestamp queries: kernels timed on the host around submit and wait"
        }
    }
}

fn open(adapter: &wgpu::Adapter) -> Result<Gpu, String> {
    // Ask for everything the adapter offers: the largest buffers and dispatches
    // it allows.
    let limits = adapter.limits();
    // naga reads GLSL's `barrier()` as a barrier for the subgroup too, a
    // capability WGSL's `workgroupBarrier()` does not need: ask for it
    // where the adapter has it.
    let subgroups = wgpu::Features::SUBGROUP | wgpu::Features::SUBGROUP_BARRIER;
    // Device timestamps where the adapter has them: the GPU's own clock.
    let timestamps =
        adapter.features().contains(wgpu::Features::TIMESTAMP_QUERY);
    let wanted = subgroups | wgpu::Features::TIMESTAMP_QUERY;
    let (device, queue) =
        pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            required_features: adapter.features() & wanted,
            required_limits: limits.clone(),
            ..Default::default()
        }))
        .map_err(|error| format!("the adapter refused a device: {error}"))?;
    // An error outside an error scope would otherwise end in a panic: report it
    // and stop.
    device.on_uncaptured_error(Arc::new(|error: wgpu::Error| {
        eprintln!("error: wgpu: {error}");
        std::process::exit(1);
    }));
    Ok(Gpu {
        device,
        queue,
        max_groups: limits.max_compute_workgroups_per_dimension,
        limits,
        info: adapter.get_info(),
        timestamps,
        subgroups: adapter.features().contains(wgpu::Features::SUBGROUP),
    })
}

/// The grid of work-groups that covers `groups` of them: a dispatch has at
/// most `max_compute_workgroups_per_dimension` (65,535 on most adapters) along
/// each dimension, so past that the groups form rows of that many, as many
/// rows as needed, the last one partly past the data. The kernels number the
/// groups row by row.
pub fn grid(gpu: &Gpu, groups: usize) -> (u32, u32) {
    grid_within(gpu.max_groups, groups)
}

/// `grid` for an adapter that dispatches at most `most` work-groups a side.
fn grid_within(most: u32, groups: usize) -> (u32, u32) {
    let row = groups.clamp(1, most as usize);
    (row as u32, groups.div_ceil(row).max(1) as u32)
}

/// One storage buffer holds at most `max_storage_buffer_binding_size` bytes,
/// and the kernels' `u32` indices must reach every element of the grid
/// without wrapping.
pub fn check_fits(gpu: &Gpu, n: usize) -> Result<(), String> {
    fits_limits(
        n,
        gpu.limits.max_storage_buffer_binding_size,
        gpu.max_groups,
    )
}

/// `check_fits` for an adapter that binds at most `max_bytes` and dispatches
/// at most `most` work-groups a side. (Vulkan's binding limit,
/// `maxStorageBufferRange`, is a 32-bit count of bytes: under 2^30 values, so
/// only a larger limit than Vulkan's reaches the check of the indices.)
fn fits_limits(n: usize, max_bytes: u64, most: u32) -> Result<(), String> {
    let bytes = (n * size_of::<f32>()) as u64;
    if bytes > max_bytes {
        return Err(format!(
            "--size {n} needs buffers of {bytes} bytes; this adapter binds at most {max_bytes}"
        ));
    }
    let (row, rows) = grid_within(most, gpu_reference::groups_for(n));
    let covered = u64::from(row) * u64::from(rows) * GROUP_SIZE as u64;
    // The one-pass sum's last step goes one stride past n.
    let strided = (n + SINGLE_PASS_GROUPS * GROUP_SIZE) as u64;
    if covered.max(strided) > u64::from(u32::MAX) {
        return Err(format!(
            "--size {n} needs a grid of {row} x {rows} work-groups of {GROUP_SIZE}, past the \
             kernels' 32-bit indices"
        ));
    }
    Ok(())
}

// ANCHOR: pipeline
/// Compiles a kernel for this adapter; a kernel that does not compile comes
/// back with the compiler's messages instead of wgpu's default, a panic.
pub fn pipeline(
    gpu: &Gpu,
    language: Language,
    source: &str,
    entry_point: &str,
) -> Result<wgpu::ComputePipeline, String> {
    let source = match language {
        Language::Wgsl => wgpu::ShaderSource::Wgsl(Cow::Borrowed(source)),
        Language::Glsl => wgpu::ShaderSource::Glsl {
            shader: Cow::Borrowed(source),
            stage: wgpu::naga::ShaderStage::Compute,
            defines: &[],
        },
    };
    let scope = gpu.device.push_error_scope(wgpu::ErrorFilter::Validation);
    let module =
        gpu.device
            .create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(entry_point),
                source,
            });
    let pipeline =
        gpu.device
            .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(entry_point),
                layout: None, // derived from the kernel's own bindings
                module: &module,
                entry_point: Some(entry_point),
                compilation_options: Default::default(),
                cache: None,
            });
    match pollster::block_on(scope.pop()) {
        None => Ok(pipeline),
        Some(error) => Err(format!(
            "the {} kernel did not compile:\n{error}",
            language.name()
        )),
    }
}
// ANCHOR_END: pipeline

/// The device copying one buffer into another, in bytes moved (read plus
/// written) per second.
fn copy_bandwidth(gpu: &Gpu, n: usize) -> f64 {
    let bytes = (n * size_of::<u32>()) as u64;
    let buffer = || {
        gpu.device.create_buffer(&wgpu::BufferDescriptor {
            label: None,
            size: bytes,
            usage: wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    };
    let (from, to) = (buffer(), buffer());
    // A copy is not a pass, so no pass timestamps: the host's clock around
    // submit and wait.
    let encoded = (0..COPY_RUNS)
        .map(|_| {
            let mut encoder =
                gpu.device.create_command_encoder(&Default::default());
            encoder.copy_buffer_to_buffer(&from, 0, &to, 0, bytes);
            encoder.finish()
        })
        .collect();
    let time = host_timed(gpu, encoded);
    gpu_reference::copy_rate(n, time.median())
}

/// Submits each command buffer and waits for it, timing both on the host's
/// clock: for adapters without timestamps, and for copies, which are not
/// passes. The buffers were encoded before the clock started.
fn host_timed(gpu: &Gpu, encoded: Vec<wgpu::CommandBuffer>) -> Summary {
    let samples = encoded
        .into_iter()
        .map(|commands| {
            let start = Instant::now();
            gpu.queue.submit([commands]);
            wait(gpu);
            start.elapsed()
        })
        .collect();
    Summary::of(samples)
}

/// A storage buffer filled from the host.
fn upload(gpu: &Gpu, bytes: &[u8], usage: wgpu::BufferUsages) -> wgpu::Buffer {
    gpu.device.create_buffer_init(&BufferInitDescriptor {
        label: None,
        contents: bytes,
        usage,
    })
}

/// A dispatch ready to go: its pipeline, its bind group (built once, never
/// inside a timed region) and its grid of work-groups.
struct Dispatch<'a> {
    pipeline: &'a wgpu::ComputePipeline,
    bind_group: wgpu::BindGroup,
    groups: (u32, u32),
    /// A buffer set to zero before each run, outside the timed pass: the
    /// total that the one-pass sum adds into.
    zeroed: Option<&'a wgpu::Buffer>,
}

impl<'a> Dispatch<'a> {
    /// `groups.0` x `groups.1` work-groups of `pipeline` over `buffers`
    /// (bindings 0, 1, 2, ...).
    fn new(
        gpu: &Gpu,
        pipeline: &'a wgpu::ComputePipeline,
        buffers: &[&wgpu::Buffer],
        groups: (u32, u32),
    ) -> Self {
        let entries: Vec<wgpu::BindGroupEntry> = buffers
            .iter()
            .enumerate()
            .map(|(binding, buffer)| wgpu::BindGroupEntry {
                binding: binding as u32,
                resource: buffer.as_entire_binding(),
            })
            .collect();
        let bind_group =
            gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: None,
                layout: &pipeline.get_bind_group_layout(0),
                entries: &entries,
            });
        Self {
            pipeline,
            bind_group,
            groups,
            zeroed: None,
        }
    }

    /// The same, with `buffer` cleared before every run.
    fn zeroing(self, buffer: &'a wgpu::Buffer) -> Self {
        Self {
            zeroed: Some(buffer),
            ..self
        }
    }

    /// The dispatch as a command buffer; with `timestamps`, the pass writes
    /// the device's clock into queries 0 (start) and 1 (end), resolved into
    /// the timer's buffer.
    fn encode(&self, gpu: &Gpu, timer: Option<&Timer>) -> wgpu::CommandBuffer {
        let mut encoder =
            gpu.device.create_command_encoder(&Default::default());
        if let Some(buffer) = self.zeroed {
            encoder.clear_buffer(buffer, 0, None);
        }
        {
            let timestamp_writes =
                timer.map(|timer| wgpu::ComputePassTimestampWrites {
                    query_set: &timer.queries,
                    beginning_of_pass_write_index: Some(0),
                    end_of_pass_write_index: Some(1),
                });
            let mut pass =
                encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: None,
                    timestamp_writes,
                });
            pass.set_pipeline(self.pipeline);
            pass.set_bind_group(0, &self.bind_group, &[]);
            pass.dispatch_workgroups(self.groups.0, self.groups.1, 1);
        }
        if let Some(timer) = timer {
            encoder.resolve_query_set(&timer.queries, 0..2, &timer.resolved, 0);
            encoder.copy_buffer_to_buffer(
                &timer.resolved,
                0,
                &timer.readable,
                0,
                TIMESTAMP_BYTES,
            );
        }
        encoder.finish()
    }

    /// Runs it once and waits.
    fn run(&self, gpu: &Gpu) {
        gpu.queue.submit([self.encode(gpu, None)]);
        wait(gpu);
    }

    /// `runs` rounds: by the device's timestamps where the adapter has them,
    /// else by the host's clock around submit and wait, with every command
    /// buffer encoded before the clock starts.
    fn time(&self, gpu: &Gpu, runs: usize) -> Result<Summary, String> {
        if gpu.timestamps {
            let timer = Timer::new(gpu);
            return self_timed(runs, || {
                gpu.queue.submit([self.encode(gpu, Some(&timer))]);
                timer.read(gpu)
            });
        }
        let encoded = (0..runs).map(|_| self.encode(gpu, None)).collect();
        Ok(host_timed(gpu, encoded))
    }
}

/// Two timestamps, start and end of a pass.
const TIMESTAMP_BYTES: u64 = 2 * size_of::<u64>() as u64;

/// A pass's two timestamps: the queries, the buffer they resolve into and a
/// copy the host can map.
struct Timer {
    queries: wgpu::QuerySet,
    resolved: wgpu::Buffer,
    readable: wgpu::Buffer,
}

impl Timer {
    fn new(gpu: &Gpu) -> Self {
        let buffer = |usage| {
            gpu.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("timestamps"),
                size: TIMESTAMP_BYTES,
                usage,
                mapped_at_creation: false,
            })
        };
        Self {
            queries: gpu.device.create_query_set(&wgpu::QuerySetDescriptor {
                label: Some("pass start and end"),
                ty: wgpu::QueryType::Timestamp,
                count: 2,
            }),
            resolved: buffer(
                wgpu::BufferUsages::QUERY_RESOLVE
                    | wgpu::BufferUsages::COPY_SRC,
            ),
            readable: buffer(
                wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            ),
        }
    }

    /// Waits for the pass and reads its duration on the device's clock.
    fn read(&self, gpu: &Gpu) -> Result<Duration, String> {
        let slice = self.readable.slice(..);
        slice.map_async(wgpu::MapMode::Read, |_| {});
        wait(gpu);
        let ticks: Vec<u64> = slice
            .get_mapped_range()
            .map_err(|error| format!("cannot read the timestamps: {error}"))?
            .chunks_exact(8)
            .map(|tick| u64::from_ne_bytes(tick.try_into().unwrap_or([0; 8])))
            .collect();
        self.readable.unmap();
        let [start, end] = ticks[..] else {
            return Err("the timestamps came back incomplete".to_string());
        };
        let period = f64::from(gpu.queue.get_timestamp_period());
        Ok(Duration::from_secs_f64(
            end.saturating_sub(start) as f64 * period / 1e9,
        ))
    }
}

fn wait(gpu: &Gpu) {
    if let Err(error) = gpu.device.poll(wgpu::PollType::wait_indefinitely()) {
        eprintln!("error: waiting for the device: {error}");
        std::process::exit(1);
    }
}

/// Copies a device buffer back to the host through a mappable staging buffer.
fn download(gpu: &Gpu, buffer: &wgpu::Buffer) -> Result<Vec<u8>, String> {
    let staging = gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("staging"),
        size: buffer.size(),
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(buffer, 0, &staging, 0, buffer.size());
    gpu.queue.submit([encoder.finish()]);
    let slice = staging.slice(..);
    slice.map_async(wgpu::MapMode::Read, |_| {});
    wait(gpu);
    let bytes = slice
        .get_mapped_range()
        .map_err(|error| format!("cannot read the result back: {error}"))?
        .to_vec();
    staging.unmap();
    Ok(bytes)
}

fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_ne_bytes()).collect()
}

fn u32_bytes(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_ne_bytes()).collect()
}

fn words(bytes: &[u8]) -> impl Iterator<Item = [u8; 4]> + '_ {
    bytes
        .chunks_exact(4)
        .map(|chunk| [chunk[0], chunk[1], chunk[2], chunk[3]])
}

const STORAGE: wgpu::BufferUsages = wgpu::BufferUsages::STORAGE;

/// The kernels' `Params` block, padded to 16 bytes as a uniform buffer likes.
fn params(first: [u8; 4], second: [u8; 4]) -> Vec<u8> {
    [first, second, [0; 4], [0; 4]].concat()
}

fn run_saxpy(
    gpu: &Gpu,
    language: Language,
    pipeline: &wgpu::ComputePipeline,
    n: usize,
) -> Result<Measured, String> {
    let (x, y) = gpu_reference::saxpy_inputs(n);
    let groups = grid(gpu, gpu_reference::groups_for(n));
    let uniform = upload(
        gpu,
        &params(SAXPY_A.to_ne_bytes(), (n as u32).to_ne_bytes()),
        wgpu::BufferUsages::UNIFORM,
    );
    let x_device = upload(gpu, &f32_bytes(&x), STORAGE);
    let y_device =
        upload(gpu, &f32_bytes(&y), STORAGE | wgpu::BufferUsages::COPY_SRC);
    let saxpy =
        Dispatch::new(gpu, pipeline, &[&uniform, &x_device, &y_device], groups);
    saxpy.run(gpu);
    let y_gpu: Vec<f32> = words(&download(gpu, &y_device)?)
        .map(f32::from_ne_bytes)
        .collect();
    let cpu = gpu_reference::saxpy(SAXPY_A, &x, &y);
    let error = gpu_reference::check_saxpy(&y_gpu, &cpu)
        .map_err(|error| format!("{} saxpy: {error}", language.name()))?;
    // Timed after the check, on the same buffers: y keeps changing, which does
    // not matter here.
    let kernel_time = saxpy.time(gpu, 5)?;
    Ok(Measured {
        problem: Problem::Saxpy,
        size: n,
        work: Problem::Saxpy.work(n),
        agreement: format!(
            "matches the CPU (largest relative error {error:.1e})"
        ),
        timed: "dispatch",
        time: kernel_time,
    })
}

fn run_sum(
    gpu: &Gpu,
    language: Language,
    pipeline: &wgpu::ComputePipeline,
    n: usize,
) -> Result<Measured, String> {
    let (values, uniform, values_device) = reduction_inputs(gpu, n);
    let groups = grid(gpu, gpu_reference::groups_for(n));
    // One partial sum per work-group of the grid, the zeros of its last row's
    // surplus groups included.
    let partial_device = upload(
        gpu,
        &u32_bytes(&vec![0; groups.0 as usize * groups.1 as usize]),
        STORAGE | wgpu::BufferUsages::COPY_SRC,
    );
    let sum = Dispatch::new(
        gpu,
        pipeline,
        &[&uniform, &values_device, &partial_device],
        groups,
    );
    sum.run(gpu);
    let partial: Vec<u32> = words(&download(gpu, &partial_device)?)
        .map(u32::from_ne_bytes)
        .collect();
    // One partial sum per work-group: few enough to add on the host.
    let total = gpu_reference::sum(&partial);
    checked_sum(
        total,
        &values,
        format!("{} sum", language.name()),
        "dispatch",
        || sum.time(gpu, 5),
    )
}

/// The scan in three steps: scan inside each work-group, turn the group totals
/// into offsets on the host, add each group's offset on the device.
fn scan_on_device(
    gpu: &Gpu,
    [scan_groups, add_offsets]: [&Dispatch; 2],
    per_group: &wgpu::Buffer,
) -> Result<(), String> {
    scan_groups.run(gpu);
    let totals: Vec<u32> = words(&download(gpu, per_group)?)
        .map(u32::from_ne_bytes)
        .collect();
    gpu.queue.write_buffer(
        per_group,
        0,
        &u32_bytes(&gpu_reference::group_offsets(&totals)),
    );
    add_offsets.run(gpu);
    Ok(())
}

fn run_scan(
    gpu: &Gpu,
    language: Language,
    pipelines: [&wgpu::ComputePipeline; 2],
    n: usize,
) -> Result<Measured, String> {
    let (values, uniform, values_device) = reduction_inputs(gpu, n);
    let grid = grid(gpu, gpu_reference::groups_for(n));
    let groups = grid.0 as usize * grid.1 as usize;
    let copyable =
        STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST;
    let out = upload(gpu, &u32_bytes(&vec![0; n]), copyable);
    let per_group = upload(gpu, &u32_bytes(&vec![0; groups]), copyable);
    let scan_groups = Dispatch::new(
        gpu,
        pipelines[0],
        &[&uniform, &out, &per_group, &values_device],
        grid,
    );
    let add_offsets =
        Dispatch::new(gpu, pipelines[1], &[&uniform, &out, &per_group], grid);
    let steps = [&scan_groups, &add_offsets];
    scan_on_device(gpu, steps, &per_group)?;
    let gpu_scan: Vec<u32> = words(&download(gpu, &out)?)
        .map(u32::from_ne_bytes)
        .collect();
    gpu_reference::check_scan(
        &gpu_scan,
        &gpu_reference::inclusive_scan(&values),
    )
    .map_err(|error| format!("{} scan: {error}", language.name()))?;
    // Two dispatches with the totals' round trip through the host between
    // them: timed on the host's clock, the bind groups built beforehand.
    let time = self_timed(5, || {
        let start = Instant::now();
        scan_on_device(gpu, steps, &per_group)?;
        Ok::<_, String>(start.elapsed())
    })?;
    Ok(Measured {
        problem: Problem::Scan,
        size: n,
        work: Problem::Scan.work(n),
        agreement: "every prefix equal to the CPU's".to_string(),
        timed: "dispatches and host offsets",
        time,
    })
}

/// A matrix multiply whose work-groups each compute a `block` x `block` tile
/// of C: `TILE` for the tiled kernel, `BLOCK` for the register-blocked one.
struct MatmulKernel<'a> {
    pipeline: &'a wgpu::ComputePipeline,
    block: usize,
    timed: &'static str,
}

fn run_matmul(
    gpu: &Gpu,
    language: Language,
    kernel: MatmulKernel,
    side: usize,
) -> Result<Measured, String> {
    let (a, b) = gpu_reference::matmul_inputs(side);
    let uniform = upload(
        gpu,
        &params((side as u32).to_ne_bytes(), [0; 4]),
        wgpu::BufferUsages::UNIFORM,
    );
    let a_device = upload(gpu, &f32_bytes(&a), STORAGE);
    let b_device = upload(gpu, &f32_bytes(&b), STORAGE);
    let c_device = upload(
        gpu,
        &f32_bytes(&vec![0.0; side * side]),
        STORAGE | wgpu::BufferUsages::COPY_SRC,
    );
    let tiles = side.div_ceil(kernel.block) as u32;
    let matmul = Dispatch::new(
        gpu,
        kernel.pipeline,
        &[&uniform, &a_device, &b_device, &c_device],
        (tiles, tiles),
    );
    matmul.run(gpu);
    let c: Vec<f32> = words(&download(gpu, &c_device)?)
        .map(f32::from_ne_bytes)
        .collect();
    let time = matmul.time(gpu, 3)?;
    Measured::checked_matmul(&c, &a, &b, side, kernel.timed, time)
        .map_err(|error| format!("{} matmul: {error}", language.name()))
}

/// Work-groups of the one-pass sum: wgpu does not say how many compute units
/// an adapter has, so a fixed number, 8 per unit up to 128 units (an H100 has
/// 132), as many as a 256-element work-group per 256 elements below that.
pub const SINGLE_PASS_GROUPS: usize = 1024;

/// The one-pass sum with subgroup operations: a strided loop per invocation,
/// `subgroupAdd`, one atomic add per work-group into the total, which is
/// cleared before every run.
fn run_sum_subgroup(
    gpu: &Gpu,
    language: Language,
    pipeline: &wgpu::ComputePipeline,
    n: usize,
) -> Result<Measured, String> {
    let (values, uniform, values_device) = reduction_inputs(gpu, n);
    let groups = gpu_reference::groups_for(n)
        .min(SINGLE_PASS_GROUPS)
        .min(gpu.max_groups as usize);
    let total_device = upload(
        gpu,
        &u32_bytes(&[0]),
        STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
    );
    let sum = Dispatch::new(
        gpu,
        pipeline,
        &[&uniform, &values_device, &total_device],
        (groups as u32, 1),
    )
    .zeroing(&total_device);
    let read_total = || -> Result<u32, String> {
        Ok(words(&download(gpu, &total_device)?)
            .map(u32::from_ne_bytes)
            .next()
            .unwrap_or_default())
    };
    sum.run(gpu);
    let what = format!("{} one-pass sum", language.name());
    let measured = checked_sum(
        read_total()?,
        &values,
        what.clone(),
        "one-pass subgroup dispatch",
        || sum.time(gpu, 5),
    )?;
    // Each timed run cleared the total before adding into it, so the last
    // one left the sum as well.
    gpu_reference::check_sum(read_total()?, gpu_reference::sum(&values))
        .map_err(|error| format!("{what}, after the timed runs: {error}"))?;
    Ok(measured)
}

/// The input of the sum and the scan, on the host and on the device, and the
/// uniform holding its length.
fn reduction_inputs(
    gpu: &Gpu,
    n: usize,
) -> (Vec<u32>, wgpu::Buffer, wgpu::Buffer) {
    let values = gpu_reference::reduce_input(n);
    let uniform = upload(
        gpu,
        &params((n as u32).to_ne_bytes(), [0; 4]),
        wgpu::BufferUsages::UNIFORM,
    );
    let values_device = upload(gpu, &u32_bytes(&values), STORAGE);
    (values, uniform, values_device)
}

/// A device's `total` checked against the CPU's sum of `values` (an error
/// names `what` was summed), then timed: only a right result is measured.
fn checked_sum(
    total: u32,
    values: &[u32],
    what: String,
    timed: &'static str,
    time: impl FnOnce() -> Result<Summary, String>,
) -> Result<Measured, String> {
    gpu_reference::check_sum(total, gpu_reference::sum(values))
        .map_err(|error| format!("{what}: {error}"))?;
    Ok(Measured {
        problem: Problem::Sum,
        size: values.len(),
        work: Problem::Sum.work(values.len()),
        agreement: format!("{total}, equal to the CPU's"),
        timed,
        time: time()?,
    })
}

/// The book's kernels in one language on one opened adapter.
pub struct Wgpu {
    gpu: Gpu,
    language: Language,
}

impl Wgpu {
    pub fn new(gpu: Gpu, language: Language) -> Self {
        Self { gpu, language }
    }

    fn run_problem(
        &self,
        problem: Problem,
        size: usize,
    ) -> Result<Measured, String> {
        let (gpu, language) = (&self.gpu, self.language);
        let compile = |source, entry| pipeline(gpu, language, source, entry);
        match (problem, language) {
            (Problem::Saxpy, Language::Wgsl) => run_saxpy(
                gpu,
                language,
                &compile(kernels::SAXPY_WGSL, "saxpy")?,
                size,
            ),
            (Problem::Saxpy, Language::Glsl) => run_saxpy(
                gpu,
                language,
                &compile(kernels::SAXPY_GLSL, "main")?,
                size,
            ),
            (Problem::Sum, Language::Wgsl) => run_sum(
                gpu,
                language,
                &compile(kernels::REDUCE_WGSL, "reduce_sum")?,
                size,
            ),
            (Problem::Sum, Language::Glsl) => run_sum(
                gpu,
                language,
                &compile(kernels::REDUCE_GLSL, "main")?,
                size,
            ),
            (Problem::Scan, Language::Wgsl) => {
                let scan_groups = compile(kernels::SCAN_WGSL, "scan_groups")?;
                let add_offsets = compile(kernels::SCAN_WGSL, "add_offsets")?;
                run_scan(gpu, language, [&scan_groups, &add_offsets], size)
            }
            (Problem::Scan, Language::Glsl) => {
                let scan_groups = compile(kernels::SCAN_GLSL, "main")?;
                let add_offsets = compile(kernels::SCAN_ADD_GLSL, "main")?;
                run_scan(gpu, language, [&scan_groups, &add_offsets], size)
            }
            (Problem::Matmul, _) => {
                let pipeline = match language {
                    Language::Wgsl => {
                        compile(kernels::MATMUL_WGSL, "matmul_tiled")?
                    }
                    Language::Glsl => compile(kernels::MATMUL_GLSL, "main")?,
                };
                let tiled = MatmulKernel {
                    pipeline: &pipeline,
                    block: TILE,
                    timed: "dispatch",
                };
                run_matmul(gpu, language, tiled, size)
            }
        }
    }

    /// The kernels that go further: the register-blocked matrix multiply in
    /// both languages, the one-pass sum in WGSL where the adapter has
    /// subgroups. naga's GLSL front end knows no subgroup functions, so GLSL
    /// has no one-pass sum.
    fn run_tuned_problem(
        &self,
        problem: Problem,
        size: usize,
    ) -> Option<Result<Measured, String>> {
        let (gpu, language) = (&self.gpu, self.language);
        let compile = |source, entry| pipeline(gpu, language, source, entry);
        let ran = match (problem, language) {
            (Problem::Sum, Language::Wgsl) if gpu.subgroups => {
                compile(REDUCE_SUBGROUP_WGSL, "reduce_subgroup").and_then(
                    |pipeline| run_sum_subgroup(gpu, language, &pipeline, size),
                )
            }
            (Problem::Matmul, _) => {
                let compiled = match language {
                    Language::Wgsl => {
                        compile(MATMUL_BLOCKED_WGSL, "matmul_blocked")
                    }
                    Language::Glsl => compile(MATMUL_BLOCKED_GLSL, "main"),
                };
                compiled.and_then(|pipeline| {
                    let blocked = MatmulKernel {
                        pipeline: &pipeline,
                        block: BLOCK,
                        timed: "register-blocked dispatch",
                    };
                    run_matmul(gpu, language, blocked, size)
                })
            }
            _ => return None,
        };
        Some(ran)
    }
}

/// One invocation per pixel in 16 x 16 workgroups; no input, one count per
/// pixel out.
fn run_mandelbrot(
    gpu: &Gpu,
    pipeline: &wgpu::ComputePipeline,
    view: &View,
) -> Result<(Vec<u32>, Summary), String> {
    // The kernel's Params block: three u32 then three f32, padded to 32 bytes.
    let params: Vec<u8> = [view.width, view.height, view.max_iter]
        .iter()
        .flat_map(|v| v.to_ne_bytes())
        .chain(
            [view.x_min, view.y_min, view.step]
                .iter()
                .flat_map(|v| v.to_ne_bytes()),
        )
        .chain([0u8; 8])
        .collect();
    let uniform = upload(gpu, &params, wgpu::BufferUsages::UNIFORM);
    let out = upload(
        gpu,
        &u32_bytes(&vec![0; view.pixels()]),
        STORAGE | wgpu::BufferUsages::COPY_SRC,
    );
    let groups = (view.width.div_ceil(16), view.height.div_ceil(16));
    let draw = Dispatch::new(gpu, pipeline, &[&uniform, &out], groups);
    draw.run(gpu);
    let time = draw.time(gpu, 3)?;
    let picture = words(&download(gpu, &out)?)
        .map(u32::from_ne_bytes)
        .collect();
    Ok((picture, time))
}

impl Backend for Wgpu {
    fn describe(&self) -> String {
        format!("{}; {}", describe(&self.gpu.info), self.gpu.clock())
    }

    fn emulated(&self) -> bool {
        // lavapipe and other software rasterisers say they are a CPU.
        self.gpu.info.device_type == wgpu::DeviceType::Cpu
    }

    fn copy_bandwidth(&self, n: usize) -> Result<f64, String> {
        check_fits(&self.gpu, n)?;
        Ok(copy_bandwidth(&self.gpu, n))
    }

    fn fits(&self, problem: Problem, size: usize) -> Result<(), String> {
        // The matrix products' grids are square, one work-group per tile.
        let tiles = size.div_ceil(TILE);
        if problem == Problem::Matmul && tiles > self.gpu.max_groups as usize {
            return Err(format!(
                "--matrix {size} needs {tiles} x {tiles} work-groups; this adapter dispatches at \
                 most {} a side",
                self.gpu.max_groups
            ));
        }
        check_fits(&self.gpu, problem.largest_array(size))
    }

    fn run(&self, problem: Problem, size: usize) -> Result<Measured, String> {
        self.fits(problem, size)?;
        self.run_problem(problem, size)
    }

    fn run_tuned(
        &self,
        problem: Problem,
        size: usize,
    ) -> Option<Result<Measured, String>> {
        if let Err(why) = self.fits(problem, size) {
            return Some(Err(why));
        }
        self.run_tuned_problem(problem, size)
    }

    fn mandelbrot(&self, view: &View) -> Result<(Vec<u32>, Summary), String> {
        check_fits(&self.gpu, view.pixels())?;
        let most = self.gpu.max_groups;
        if view.width.div_ceil(16) > most || view.height.div_ceil(16) > most {
            return Err(format!(
                "a picture of {} x {} needs more than {most} work-groups of 16 x 16 a side",
                view.width, view.height
            ));
        }
        let pipeline = match self.language {
            Language::Wgsl => pipeline(
                &self.gpu,
                self.language,
                kernels::MANDELBROT_WGSL,
                "mandelbrot",
            )?,
            Language::Glsl => pipeline(
                &self.gpu,
                self.language,
                kernels::MANDELBROT_GLSL,
                "main",
            )?,
        };
        run_mandelbrot(&self.gpu, &pipeline, view)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use gpu_reference::{Backend, Problem, View};

    use super::{
        Gpu, Language, Wgpu, adapters, check_fits, describe, fits_limits, open,
    };

    /// lavapipe, as wgpu lists it, and a device opened on it. No lavapipe is
    /// a broken test set-up (`cargo xtask test` installs it), not a skip.
    fn lavapipe() -> (wgpu::Adapter, Gpu) {
        let adapter = adapters()
            .expect("a Vulkan adapter: `cargo xtask setup` installs lavapipe")
            .into_iter()
            .find(|adapter| adapter.get_info().name.contains("llvmpipe"))
            .expect(
                "lavapipe: `cargo xtask setup` installs mesa-vulkan-drivers",
            );
        let gpu = open(&adapter).expect("lavapipe opens");
        (adapter, gpu)
    }

    /// The device gets the adapter's largest buffers and dispatches, and of
    /// the optional features only those the kernels use (subgroups, and the
    /// barrier naga's GLSL needs with them; timestamps), where the adapter has
    /// them.
    #[test]
    fn the_device_has_the_adapters_limits_and_the_features_the_kernels_use() {
        let (adapter, gpu) = lavapipe();
        let (offered, got) = (adapter.limits(), gpu.device.limits());
        assert_eq!(
            got.max_storage_buffer_binding_size,
            offered.max_storage_buffer_binding_size
        );
        assert_eq!(got.max_buffer_size, offered.max_buffer_size);
        assert_eq!(
            got.max_compute_workgroups_per_dimension,
            offered.max_compute_workgroups_per_dimension
        );
        assert_eq!(
            gpu.workgroup_limit(),
            offered.max_compute_workgroups_per_dimension
        );
        let used = [
            wgpu::Features::SUBGROUP,
            wgpu::Features::SUBGROUP_BARRIER,
            wgpu::Features::TIMESTAMP_QUERY,
        ];
        let has = adapter.features();
        let expected = used
            .into_iter()
            .filter(|&feature| has.contains(feature))
            .fold(wgpu::Features::empty(), |all, feature| all | feature);
        assert_eq!(gpu.device.features(), expected);
        assert_eq!(gpu.has_subgroups(), has.contains(wgpu::Features::SUBGROUP));
        assert_eq!(
            gpu.clock(),
            if has.contains(wgpu::Features::TIMESTAMP_QUERY) {
                "kernels timed by device timestamps"
            } else {
                "no timestamp queries: kernels timed on the host around submit \
                 and wait"
            }
        );
    }

    #[test]
    fn a_workgroup_limit_runs_from_one_to_the_adapters() {
        let (adapter, gpu) = lavapipe();
        let most = adapter.limits().max_compute_workgroups_per_dimension;
        for refused in [0, most + 1] {
            assert_eq!(
                gpu.clone().with_workgroup_limit(refused).err(),
                Some(format!(
                    "a work-group limit of {refused}: this adapter allows 1 to \
                     {most} a dimension"
                ))
            );
        }
        for allowed in [1, 7, most] {
            let limited = gpu
                .clone()
                .with_workgroup_limit(allowed)
                .expect("a limit in range");
            assert_eq!(limited.workgroup_limit(), allowed);
        }
    }

    /// A buffer of `n` four-byte values binds up to the adapter's limit: the
    /// largest `n` that fits is allowed, one more is refused.
    #[test]
    fn a_buffer_one_value_past_the_binding_limit_is_refused() {
        let (_, gpu) = lavapipe();
        let limit = gpu.limits.max_storage_buffer_binding_size;
        let largest = usize::try_from(limit / 4).expect("a 64-bit machine");
        assert_eq!(check_fits(&gpu, largest), Ok(()));
        assert_eq!(
            check_fits(&gpu, largest + 1),
            Err(format!(
                "--size {} needs buffers of {} bytes; this adapter binds at \
                 most {limit}",
                largest + 1,
                (largest as u64 + 1) * 4
            ))
        );
        // 2,000 values are 8,000 bytes: exactly at a limit of 8,000.
        assert_eq!(fits_limits(2000, 8000, 65_535), Ok(()));
        assert!(fits_limits(2001, 8000, 65_535).is_err());
    }

    /// On an adapter with 64 GiB bindings (no Vulkan one has them) the
    /// kernels' 32-bit indices are the limit. Worked out by hand: 4.1e9
    /// values are 16,015,625 groups of 256, 17 rows of at most a million
    /// groups, a grid of 4,352,000,000 elements, past 2^32 - 1 though the
    /// one-pass sum's last stride (4.1e9 + 1024 · 256) is not; 3.9e9 values
    /// need 16 rows, 4,096,000,000. With one group a row, 4,294,800,000
    /// values make a grid of 4,294,800,128, under 2^32, but the last stride,
    /// 4,295,062,144, is past it; 4,294,000,000 values stay under both.
    #[test]
    fn a_grid_past_the_kernels_32_bit_indices_is_refused() {
        let binds = 1 << 36;
        // (values, most groups a row, the grid of a refusal)
        let cases = [
            (4_100_000_000, 1_000_000, Some((1_000_000, 17))),
            (3_900_000_000, 1_000_000, None),
            (4_294_800_000, 1, Some((1, 16_776_563))),
            (4_294_000_000, 1, None),
        ];
        for (n, most, refused) in cases {
            let refusal = refused.map(|(row, rows)| {
                format!(
                    "--size {n} needs a grid of {row} x {rows} work-groups of \
                     256, past the kernels' 32-bit indices"
                )
            });
            assert_eq!(fits_limits(n, binds, most).err(), refusal);
        }
    }

    /// Pictures whose sides are not whole work-groups of 16 x 16, in both
    /// languages: every pixel of the last, partial column and row of groups
    /// is drawn too.
    #[test]
    fn the_picture_matches_the_cpus_to_its_last_column_and_row() {
        let (_, gpu) = lavapipe();
        let view = View::whole_set(37, 21, 200);
        for language in [Language::Wgsl, Language::Glsl] {
            let (picture, _) = Wgpu::new(gpu.clone(), language)
                .mandelbrot(&view)
                .expect("lavapipe draws");
            gpu_reference::check_mandelbrot(
                &picture,
                &gpu_reference::mandelbrot(&view),
                view.width,
            )
            .unwrap_or_else(|error| panic!("{}: {error}", language.name()));
        }
    }

    /// With at most two work-groups a side, a picture 32 pixels wide and high
    /// fits (two groups of 16 each way); one pixel more either way does not.
    #[test]
    fn a_picture_past_the_work_group_limit_is_refused() {
        let (_, gpu) = lavapipe();
        let limited = Wgpu::new(
            gpu.with_workgroup_limit(2).expect("a limit in range"),
            Language::Wgsl,
        );
        let (picture, _) = limited
            .mandelbrot(&View::whole_set(32, 32, 50))
            .expect("2 x 2 work-groups");
        assert_eq!(picture.len(), 32 * 32);
        for (width, height) in [(33, 32), (32, 33)] {
            assert_eq!(
                limited
                    .mandelbrot(&View::whole_set(width, height, 50))
                    .err(),
                Some(format!(
                    "a picture of {width} x {height} needs more than 2 \
                     work-groups of 16 x 16 a side"
                ))
            );
        }
    }

    /// lavapipe says it is a CPU: its runs are emulated, and the description
    /// says which adapter and which clock.
    #[test]
    fn lavapipe_is_described_and_emulated() {
        let (adapter, gpu) = lavapipe();
        assert_eq!(adapter.get_info().device_type, wgpu::DeviceType::Cpu);
        let backend = Wgpu::new(gpu.clone(), Language::Wgsl);
        assert!(backend.emulated());
        let description = backend.describe();
        assert!(
            description.starts_with(&describe(&adapter.get_info()))
                && description.ends_with(gpu.clock()),
            "{description}"
        );
    }

    /// Rates and times are measured, so no particular value; but a copy
    /// moves bytes, and a dispatch's time on the device's clock is more than
    /// nothing and no longer than the host waited for the whole run (its
    /// check and its five timed rounds).
    #[test]
    fn a_copy_has_a_rate_and_a_dispatch_a_time_within_the_run() {
        let (_, gpu) = lavapipe();
        let backend = Wgpu::new(gpu, Language::Wgsl);
        let rate = backend.copy_bandwidth(1 << 16).expect("a copy");
        assert!(rate.is_finite() && rate > 0.0, "{rate}");
        let started = Instant::now();
        let measured = backend.run(Problem::Saxpy, 1 << 16).expect("saxpy");
        let waited = started.elapsed();
        let (fastest, slowest) =
            (measured.time.fastest(), measured.time.slowest());
        // lavapipe's timestamps count nanoseconds.
        assert_eq!(backend.gpu.queue.get_timestamp_period(), 1.0);
        assert!(
            !fastest.is_zero() && slowest <= waited,
            "{fastest:?} to {slowest:?} within {waited:?}"
        );
    }
}
