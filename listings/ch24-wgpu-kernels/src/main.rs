//! The chapter's four kernels (SAXPY, sum, scan, tiled matrix multiply) twice more: in WGSL,
//! the WebGPU shading language, and in GLSL, OpenGL's and Vulkan's, both run as wgpu compute
//! pipelines. wgpu translates either language (through naga) for the adapter it runs on: a
//! GPU's Vulkan driver, or lavapipe, Mesa's Vulkan implementation on the CPU. Every result is
//! checked against the CPU reference.

use std::borrow::Cow;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use book_helpers::{fastest_of, format_duration};
use clap::{Parser, ValueEnum};
use gpu_reference::{GROUP_SIZE, SAXPY_A, TILE, kernels};
use wgpu::util::{BufferInitDescriptor, DeviceExt};

#[derive(Debug, Parser)]
#[command(
    about = "SAXPY, sum, scan and tiled matrix multiply in WGSL and GLSL, run by wgpu on a chosen adapter and checked against the CPU"
)]
struct Args {
    /// Elements per problem.
    #[arg(long, default_value_t = 1 << 22, value_parser = clap::value_parser!(u32).range(1..))]
    size: u32,
    /// Side of the square matrices of the matrix multiply.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=4096))]
    matrix: u32,
    /// The adapter to run on: a part of its name as --list-devices prints it
    /// (`llvmpipe` is lavapipe, on the CPU). Without it: the first GPU, else the first adapter.
    #[arg(long)]
    adapter: Option<String>,
    /// Which kernel languages to run.
    #[arg(long, value_enum, default_value_t = Languages::Both)]
    language: Languages,
    /// Print the Vulkan adapters present, then stop.
    #[arg(long)]
    list_devices: bool,
    /// Compile this `.wgsl` or `.comp` (GLSL) file instead of the book's kernels (to see the
    /// compiler's log); its entry point must be `main` (GLSL) or `saxpy` (WGSL).
    #[arg(long, value_name = "FILE")]
    kernel: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Languages {
    Wgsl,
    Glsl,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Language {
    Wgsl,
    Glsl,
}

impl Language {
    fn name(self) -> &'static str {
        match self {
            Language::Wgsl => "WGSL",
            Language::Glsl => "GLSL",
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// An opened adapter: the device that runs the pipelines and the queue that feeds it.
struct Gpu {
    device: wgpu::Device,
    queue: wgpu::Queue,
    limits: wgpu::Limits,
}

fn describe(info: &wgpu::AdapterInfo) -> String {
    format!(
        "{} ({:?}, {:?}, driver {} {})",
        info.name, info.device_type, info.backend, info.driver, info.driver_info
    )
}

fn run(args: &Args) -> Result<(), String> {
    // Compute needs no window, so no display handle.
    let mut descriptor = wgpu::InstanceDescriptor::new_without_display_handle();
    descriptor.backends = wgpu::Backends::VULKAN;
    let instance = wgpu::Instance::new(descriptor);
    let adapters = pollster::block_on(instance.enumerate_adapters(wgpu::Backends::VULKAN));
    if adapters.is_empty() {
        return Err("no Vulkan adapter found: install your GPU's Vulkan driver, or lavapipe for \
                    the CPU (Debian: apt-get install mesa-vulkan-drivers; `cargo xtask setup` does it)"
            .to_string());
    }
    if args.list_devices {
        for (index, adapter) in adapters.iter().enumerate() {
            println!("{index}: {}", describe(&adapter.get_info()));
        }
        return Ok(());
    }
    let adapter = choose_adapter(&adapters, args.adapter.as_deref())?;
    println!("wgpu adapter: {}", describe(&adapter.get_info()));
    let gpu = open(adapter)?;

    if let Some(path) = &args.kernel {
        let source = std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        let language = match path.extension().and_then(|e| e.to_str()) {
            Some("wgsl") => Language::Wgsl,
            Some("comp") => Language::Glsl,
            _ => {
                return Err(format!(
                    "{}: expected a .wgsl or .comp file",
                    path.display()
                ));
            }
        };
        let entry = if language == Language::Wgsl {
            "saxpy"
        } else {
            "main"
        };
        pipeline(&gpu, language, &source, entry)?;
        println!("{} compiled", path.display());
        return Ok(());
    }
    let n = args.size as usize;
    check_fits(&gpu, n)?;
    let languages = match args.language {
        Languages::Wgsl => vec![Language::Wgsl],
        Languages::Glsl => vec![Language::Glsl],
        Languages::Both => vec![Language::Wgsl, Language::Glsl],
    };
    let copy = copy_bandwidth(&gpu, n);
    println!(
        "device copy: {} (reading and writing; the limit for kernels that stream memory)",
        gpu_reference::format_bandwidth(copy as usize, 1.0)
    );
    for language in languages {
        let (saxpy, reduce) = match language {
            Language::Wgsl => (
                pipeline(&gpu, language, kernels::SAXPY_WGSL, "saxpy")?,
                pipeline(&gpu, language, kernels::REDUCE_WGSL, "reduce_sum")?,
            ),
            Language::Glsl => (
                pipeline(&gpu, language, kernels::SAXPY_GLSL, "main")?,
                pipeline(&gpu, language, kernels::REDUCE_GLSL, "main")?,
            ),
        };
        run_saxpy(&gpu, language, &saxpy, n, copy)?;
        run_sum(&gpu, language, &reduce, n, copy)?;
        let (scan_groups, add_offsets, matmul) = match language {
            Language::Wgsl => (
                pipeline(&gpu, language, kernels::SCAN_WGSL, "scan_groups")?,
                pipeline(&gpu, language, kernels::SCAN_WGSL, "add_offsets")?,
                pipeline(&gpu, language, kernels::MATMUL_WGSL, "matmul_tiled")?,
            ),
            Language::Glsl => (
                pipeline(&gpu, language, kernels::SCAN_GLSL, "main")?,
                pipeline(&gpu, language, kernels::SCAN_ADD_GLSL, "main")?,
                pipeline(&gpu, language, kernels::MATMUL_GLSL, "main")?,
            ),
        };
        run_scan(&gpu, language, [&scan_groups, &add_offsets], n, copy)?;
        let side = args.matrix as usize;
        check_fits(&gpu, side * side)?;
        run_matmul(&gpu, language, &matmul, side)?;
    }
    Ok(())
}

/// The adapter named by `--adapter`, or the first real GPU, or the first adapter at all.
fn choose_adapter<'a>(
    adapters: &'a [wgpu::Adapter],
    wanted: Option<&str>,
) -> Result<&'a wgpu::Adapter, String> {
    match wanted {
        Some(part) => adapters
            .iter()
            .find(|adapter| adapter.get_info().name.contains(part))
            .ok_or_else(|| {
                let names: Vec<String> = adapters.iter().map(|a| a.get_info().name).collect();
                format!("no adapter named like {part:?}; this machine has {names:?}")
            }),
        None => Ok(adapters
            .iter()
            .find(|adapter| {
                matches!(
                    adapter.get_info().device_type,
                    wgpu::DeviceType::DiscreteGpu | wgpu::DeviceType::IntegratedGpu
                )
            })
            .unwrap_or(&adapters[0])),
    }
}

fn open(adapter: &wgpu::Adapter) -> Result<Gpu, String> {
    // Ask for everything the adapter offers: the largest buffers and dispatches it allows.
    let limits = adapter.limits();
    // naga reads GLSL's `barrier()` as a barrier for the subgroup too, a capability WGSL's
    // `workgroupBarrier()` does not need: ask for it where the adapter has it.
    let subgroups = wgpu::Features::SUBGROUP | wgpu::Features::SUBGROUP_BARRIER;
    let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
        label: Some("book"),
        required_features: adapter.features() & subgroups,
        required_limits: limits.clone(),
        ..Default::default()
    }))
    .map_err(|error| format!("the adapter refused a device: {error}"))?;
    // An error outside an error scope would otherwise end in a panic: report it and stop.
    device.on_uncaptured_error(Arc::new(|error: wgpu::Error| {
        eprintln!("error: wgpu: {error}");
        std::process::exit(1);
    }));
    Ok(Gpu {
        device,
        queue,
        limits,
    })
}

/// One dispatch has at most `max_compute_workgroups_per_dimension` work-groups, and one
/// storage buffer at most `max_storage_buffer_binding_size` bytes.
fn check_fits(gpu: &Gpu, n: usize) -> Result<(), String> {
    let groups = gpu_reference::groups_for(n) as u64;
    let max_groups = u64::from(gpu.limits.max_compute_workgroups_per_dimension);
    let bytes = (n * size_of::<f32>()) as u64;
    let max_bytes = gpu.limits.max_storage_buffer_binding_size;
    if groups > max_groups {
        return Err(format!(
            "--size {n} needs {groups} work-groups of {GROUP_SIZE}; this adapter dispatches at most \
             {max_groups} (so at most {} elements)",
            max_groups * GROUP_SIZE as u64
        ));
    }
    if bytes > max_bytes {
        return Err(format!(
            "--size {n} needs buffers of {bytes} bytes; this adapter binds at most {max_bytes}"
        ));
    }
    Ok(())
}

// ANCHOR: pipeline
/// Compiles a kernel for this adapter; a kernel that does not compile comes back with the
/// compiler's messages instead of wgpu's default, a panic.
fn pipeline(
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
    let module = gpu
        .device
        .create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(entry_point),
            source,
        });
    let pipeline = gpu
        .device
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

/// The device copying one buffer into another, in bytes moved (read plus written) per second.
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
    let ((), time) = fastest_of(5, || {
        let mut encoder = gpu.device.create_command_encoder(&Default::default());
        encoder.copy_buffer_to_buffer(&from, 0, &to, 0, bytes);
        gpu.queue.submit([encoder.finish()]);
        wait(gpu);
    });
    2.0 * bytes as f64 / seconds(time).max(f64::MIN_POSITIVE)
}

/// A storage buffer filled from the host.
fn upload(gpu: &Gpu, bytes: &[u8], usage: wgpu::BufferUsages) -> wgpu::Buffer {
    gpu.device.create_buffer_init(&BufferInitDescriptor {
        label: None,
        contents: bytes,
        usage,
    })
}

/// Runs one dispatch of `groups` work-groups over `buffers` (bindings 0, 1, 2, ...) and waits.
fn dispatch(gpu: &Gpu, pipeline: &wgpu::ComputePipeline, buffers: &[&wgpu::Buffer], groups: u32) {
    dispatch_2d(gpu, pipeline, buffers, (groups, 1));
}

/// `dispatch` over a grid of `groups.0` x `groups.1` work-groups.
fn dispatch_2d(
    gpu: &Gpu,
    pipeline: &wgpu::ComputePipeline,
    buffers: &[&wgpu::Buffer],
    groups: (u32, u32),
) {
    let entries: Vec<wgpu::BindGroupEntry> = buffers
        .iter()
        .enumerate()
        .map(|(binding, buffer)| wgpu::BindGroupEntry {
            binding: binding as u32,
            resource: buffer.as_entire_binding(),
        })
        .collect();
    let bind_group = gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: None,
        layout: &pipeline.get_bind_group_layout(0),
        entries: &entries,
    });
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    {
        let mut pass = encoder.begin_compute_pass(&Default::default());
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.dispatch_workgroups(groups.0, groups.1, 1);
    }
    gpu.queue.submit([encoder.finish()]);
    wait(gpu);
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
    copy: f64,
) -> Result<(), String> {
    let (x, y) = gpu_reference::saxpy_inputs(n);
    let groups = gpu_reference::groups_for(n) as u32;
    let uniform = upload(
        gpu,
        &params(SAXPY_A.to_ne_bytes(), (n as u32).to_ne_bytes()),
        wgpu::BufferUsages::UNIFORM,
    );
    let x_device = upload(gpu, &f32_bytes(&x), STORAGE);
    let y_device = upload(gpu, &f32_bytes(&y), STORAGE | wgpu::BufferUsages::COPY_SRC);
    dispatch(gpu, pipeline, &[&uniform, &x_device, &y_device], groups);
    let y_gpu: Vec<f32> = words(&download(gpu, &y_device)?)
        .map(f32::from_ne_bytes)
        .collect();
    let cpu = gpu_reference::saxpy(SAXPY_A, &x, &y);
    let error = gpu_reference::check_saxpy(&y_gpu, &cpu)
        .map_err(|error| format!("{} saxpy: {error}", language.name()))?;
    // Timed after the check, on the same buffers: y keeps changing, which does not matter here.
    let ((), kernel_time) = fastest_of(5, || {
        dispatch(gpu, pipeline, &[&uniform, &x_device, &y_device], groups);
    });
    println!(
        "{} saxpy n = {n}: matches the CPU (largest relative error {error:.1e}); dispatch {} ({})",
        language.name(),
        format_duration(kernel_time),
        gpu_reference::format_against_copy(
            gpu_reference::saxpy_bytes(n),
            seconds(kernel_time),
            copy
        ),
    );
    Ok(())
}

fn run_sum(
    gpu: &Gpu,
    language: Language,
    pipeline: &wgpu::ComputePipeline,
    n: usize,
    copy: f64,
) -> Result<(), String> {
    let values = gpu_reference::reduce_input(n);
    let groups = gpu_reference::groups_for(n);
    let uniform = upload(
        gpu,
        &params((n as u32).to_ne_bytes(), [0; 4]),
        wgpu::BufferUsages::UNIFORM,
    );
    let values_device = upload(gpu, &u32_bytes(&values), STORAGE);
    let partial_device = upload(
        gpu,
        &u32_bytes(&vec![0; groups]),
        STORAGE | wgpu::BufferUsages::COPY_SRC,
    );
    let buffers = [&uniform, &values_device, &partial_device];
    dispatch(gpu, pipeline, &buffers, groups as u32);
    let partial: Vec<u32> = words(&download(gpu, &partial_device)?)
        .map(u32::from_ne_bytes)
        .collect();
    // One partial sum per work-group: few enough to add on the host.
    let total = gpu_reference::sum(&partial);
    gpu_reference::check_sum(total, gpu_reference::sum(&values))
        .map_err(|error| format!("{} sum: {error}", language.name()))?;
    let ((), kernel_time) = fastest_of(5, || dispatch(gpu, pipeline, &buffers, groups as u32));
    println!(
        "{} sum   n = {n}: {total}, equal to the CPU's; dispatch {} ({})",
        language.name(),
        format_duration(kernel_time),
        gpu_reference::format_against_copy(n * size_of::<u32>(), seconds(kernel_time), copy),
    );
    Ok(())
}

fn seconds(duration: Duration) -> f64 {
    duration.as_secs_f64()
}

/// The scan in three steps: scan inside each work-group, turn the group totals into offsets
/// on the host, add each group's offset on the device.
fn scan_on_device(
    gpu: &Gpu,
    [scan_groups, add_offsets]: [&wgpu::ComputePipeline; 2],
    [uniform, out, per_group, values]: [&wgpu::Buffer; 4],
    groups: u32,
) -> Result<(), String> {
    dispatch(gpu, scan_groups, &[uniform, out, per_group, values], groups);
    let totals: Vec<u32> = words(&download(gpu, per_group)?)
        .map(u32::from_ne_bytes)
        .collect();
    gpu.queue.write_buffer(
        per_group,
        0,
        &u32_bytes(&gpu_reference::group_offsets(&totals)),
    );
    dispatch(gpu, add_offsets, &[uniform, out, per_group], groups);
    Ok(())
}

fn run_scan(
    gpu: &Gpu,
    language: Language,
    pipelines: [&wgpu::ComputePipeline; 2],
    n: usize,
    copy: f64,
) -> Result<(), String> {
    let values = gpu_reference::reduce_input(n);
    let groups = gpu_reference::groups_for(n);
    let uniform = upload(
        gpu,
        &params((n as u32).to_ne_bytes(), [0; 4]),
        wgpu::BufferUsages::UNIFORM,
    );
    let copyable = STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST;
    let values_device = upload(gpu, &u32_bytes(&values), STORAGE);
    let out = upload(gpu, &u32_bytes(&vec![0; n]), copyable);
    let per_group = upload(gpu, &u32_bytes(&vec![0; groups]), copyable);
    let buffers = [&uniform, &out, &per_group, &values_device];
    scan_on_device(gpu, pipelines, buffers, groups as u32)?;
    let gpu_scan: Vec<u32> = words(&download(gpu, &out)?)
        .map(u32::from_ne_bytes)
        .collect();
    gpu_reference::check_scan(&gpu_scan, &gpu_reference::inclusive_scan(&values))
        .map_err(|error| format!("{} scan: {error}", language.name()))?;
    let (ran, time) = fastest_of(5, || scan_on_device(gpu, pipelines, buffers, groups as u32));
    ran?;
    println!(
        "{} scan  n = {n}: every prefix equal to the CPU's; dispatches {} ({})",
        language.name(),
        format_duration(time),
        // Reads the input, writes the output, reads and writes it again to add offsets.
        gpu_reference::format_against_copy(4 * n * size_of::<u32>(), seconds(time), copy),
    );
    Ok(())
}

fn run_matmul(
    gpu: &Gpu,
    language: Language,
    pipeline: &wgpu::ComputePipeline,
    side: usize,
) -> Result<(), String> {
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
    let tiles = side.div_ceil(TILE) as u32;
    let buffers = [&uniform, &a_device, &b_device, &c_device];
    dispatch_2d(gpu, pipeline, &buffers, (tiles, tiles));
    let c: Vec<f32> = words(&download(gpu, &c_device)?)
        .map(f32::from_ne_bytes)
        .collect();
    let error = gpu_reference::check_matmul(&c, &gpu_reference::matmul(&a, &b, side), side)
        .map_err(|error| format!("{} matmul: {error}", language.name()))?;
    let ((), time) = fastest_of(3, || dispatch_2d(gpu, pipeline, &buffers, (tiles, tiles)));
    println!(
        "{} matmul {side} x {side}: matches the CPU (largest relative error {error:.1e}); \
         dispatch {} ({})",
        language.name(),
        format_duration(time),
        gpu_reference::format_gflops(gpu_reference::matmul_flops(side), seconds(time)),
    );
    Ok(())
}
