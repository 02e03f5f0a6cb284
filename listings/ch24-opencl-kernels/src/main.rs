//! The chapter's four kernels (SAXPY, sum, scan, tiled matrix multiply) in OpenCL C, run
//! through the `ocl` crate on an OpenCL device: a GPU where there is one, PoCL (an OpenCL
//! implementation for the CPU) otherwise. Every result is checked against the CPU reference
//! before any time is printed.

use std::process::ExitCode;
use std::time::Duration;

use book_helpers::{fastest_of, format_duration, timed};
use clap::Parser;
use gpu_reference::{GROUP_SIZE, SAXPY_A, TILE, kernels};
use ocl::enums::{DeviceInfo, DeviceInfoResult};
use ocl::{Buffer, Context, Device, Kernel, MemFlags, Platform, Program, Queue};

#[derive(Debug, Parser)]
#[command(
    about = "SAXPY, sum, scan and tiled matrix multiply in OpenCL C on an OpenCL device, checked against the CPU"
)]
struct Args {
    /// Elements per problem.
    #[arg(long, default_value_t = 1 << 22, value_parser = clap::value_parser!(u64).range(1..))]
    size: u64,
    /// Side of the square matrices of the matrix multiply.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=8192))]
    matrix: u32,
    /// Which device to run on, as numbered by --list-devices.
    #[arg(long, default_value_t = 0)]
    device: usize,
    /// Print the OpenCL platforms and devices present, then stop.
    #[arg(long)]
    list_devices: bool,
    /// Compile this OpenCL C file instead of the book's kernels (to see the compiler's log).
    #[arg(long, value_name = "FILE")]
    kernel: Option<std::path::PathBuf>,
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

/// Every OpenCL device on every platform, in the order --list-devices prints them.
fn all_devices() -> Result<Vec<(Platform, Device)>, String> {
    // `Platform::list` panics when the ICD loader finds nothing; ask the core API instead.
    let platforms = ocl::core::get_platform_ids().map_err(|_| {
        "no OpenCL platform found: install a driver for your GPU, or PoCL for the CPU \
         (Debian: apt-get install pocl-opencl-icd ocl-icd-opencl-dev; `cargo xtask setup` does it)"
            .to_string()
    })?;
    let mut found = Vec::new();
    for platform in platforms.into_iter().map(Platform::new) {
        let devices = Device::list_all(platform).map_err(|error| error.to_string())?;
        found.extend(devices.into_iter().map(|device| (platform, device)));
    }
    if found.is_empty() {
        return Err("OpenCL platforms are installed but none has a device".to_string());
    }
    Ok(found)
}

fn describe(platform: &Platform, device: &Device) -> String {
    let info = |kind| {
        device
            .info(kind)
            .map_or_else(|e| e.to_string(), |v| v.to_string())
    };
    format!(
        "{} / {} ({}, driver {})",
        platform.name().unwrap_or_default(),
        device.name().unwrap_or_default(),
        info(DeviceInfo::Type),
        info(DeviceInfo::DriverVersion)
    )
}

fn run(args: &Args) -> Result<(), String> {
    let devices = all_devices()?;
    if args.list_devices {
        for (index, (platform, device)) in devices.iter().enumerate() {
            println!("{index}: {}", describe(platform, device));
        }
        return Ok(());
    }
    let (platform, device) = *devices.get(args.device).ok_or_else(|| {
        format!(
            "there is no OpenCL device {} (this machine has {}; see --list-devices)",
            args.device,
            devices.len()
        )
    })?;
    println!("OpenCL device: {}", describe(&platform, &device));
    let context = Context::builder()
        .platform(platform)
        .devices(device)
        .build()
        .map_err(|error| error.to_string())?;
    let queue = Queue::new(&context, device, None).map_err(|error| error.to_string())?;

    if let Some(path) = &args.kernel {
        let source = std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        compile(&context, device, &source)?;
        println!("{} compiled", path.display());
        return Ok(());
    }
    let n = usize::try_from(args.size).map_err(|_| "--size does not fit in memory".to_string())?;
    check_fits(&device, n)?;
    let saxpy = compile(&context, device, kernels::SAXPY_CL)?;
    let reduce = compile(&context, device, kernels::REDUCE_CL)?;
    let scan = compile(&context, device, kernels::SCAN_CL)?;
    let matmul = compile(&context, device, kernels::MATMUL_CL)?;
    let copy = copy_bandwidth(&queue, n).map_err(|error| format!("copy: {error}"))?;
    println!(
        "device copy: {} (reading and writing; the limit for kernels that stream memory)",
        gpu_reference::format_bandwidth(copy as usize, 1.0)
    );
    run_saxpy(&queue, &saxpy, n, copy).map_err(|error| format!("saxpy: {error}"))?;
    run_sum(&queue, &reduce, n, copy).map_err(|error| format!("sum: {error}"))?;
    run_scan(&queue, &scan, n, copy).map_err(|error| format!("scan: {error}"))?;
    let side = args.matrix as usize;
    check_fits(&device, side * side)?;
    run_matmul(&queue, &matmul, side).map_err(|error| format!("matmul: {error}"))
}

/// A kernel that does not compile comes back with the OpenCL compiler's log.
fn compile(context: &Context, device: Device, source: &str) -> Result<Program, String> {
    Program::builder()
        .src(source)
        .devices(device)
        .build(context)
        .map_err(|error| format!("the OpenCL compiler rejected the kernel:\n{error}"))
}

/// The largest buffer is `n` four-byte values; a device says how big one allocation may be.
fn check_fits(device: &Device, n: usize) -> Result<(), String> {
    let bytes = n.saturating_mul(size_of::<f32>());
    if let Ok(DeviceInfoResult::MaxMemAllocSize(limit)) = device.info(DeviceInfo::MaxMemAllocSize)
        && bytes as u64 > limit
    {
        return Err(format!(
            "--size {n} needs buffers of {bytes} bytes; this device allocates at most {limit} bytes at once"
        ));
    }
    Ok(())
}

fn launch_size(n: usize) -> usize {
    gpu_reference::groups_for(n) * GROUP_SIZE
}

// ANCHOR: saxpy
/// The device copying one buffer into another, in bytes moved (read plus written) per second.
fn copy_bandwidth(queue: &Queue, n: usize) -> ocl::Result<f64> {
    let buffer = || Buffer::<u32>::builder().queue(queue.clone()).len(n).build();
    let (from, to) = (buffer()?, buffer()?);
    let (copied, time) = fastest_of(5, || {
        from.copy(&to, None, None)
            .enq()
            .and_then(|()| queue.finish())
    });
    copied?;
    Ok((2 * n * size_of::<u32>()) as f64 / time.as_secs_f64().max(f64::MIN_POSITIVE))
}

fn run_saxpy(queue: &Queue, program: &Program, n: usize, copy: f64) -> ocl::Result<()> {
    let (x, y) = gpu_reference::saxpy_inputs(n);
    let x_device = Buffer::<f32>::builder()
        .queue(queue.clone())
        .flags(MemFlags::new().read_only())
        .len(n)
        .copy_host_slice(&x)
        .build()?;
    let y_device = Buffer::<f32>::builder()
        .queue(queue.clone())
        .len(n)
        .build()?;
    let kernel = Kernel::builder()
        .program(program)
        .name("saxpy")
        .queue(queue.clone())
        .global_work_size(launch_size(n))
        .local_work_size(GROUP_SIZE)
        .arg(SAXPY_A)
        .arg(&x_device)
        .arg(&y_device)
        .arg(n as u32)
        .build()?;
    let (uploaded, upload) = timed(|| y_device.write(&y).enq().and_then(|()| queue.finish()));
    uploaded?;
    // SAFETY: the kernel's arguments match its signature; the guard `i < n` keeps the
    // rounded-up launch inside the buffers.
    unsafe { kernel.enq()? };
    let mut y_gpu = vec![0.0f32; n];
    y_device.read(&mut y_gpu).enq()?;
    let cpu = gpu_reference::saxpy(SAXPY_A, &x, &y);
    let error = gpu_reference::check_saxpy(&y_gpu, &cpu).map_err(ocl::Error::from)?;
    // ANCHOR_END: saxpy
    // Timed after the check, on the same buffers: y keeps changing, which does not matter here.
    let (ran, kernel_time) =
        fastest_of(5, || unsafe { kernel.enq() }.and_then(|()| queue.finish()));
    ran?;
    let (_, cpu_time) = fastest_of(5, || gpu_reference::saxpy(SAXPY_A, &x, &y));
    println!(
        "saxpy  n = {n}: matches the CPU (largest relative error {error:.1e}); kernel {} ({}), \
         copy of y to the device {}, CPU loop {}",
        format_duration(kernel_time),
        gpu_reference::format_against_copy(
            gpu_reference::saxpy_bytes(n),
            kernel_time.as_secs_f64(),
            copy
        ),
        format_duration(upload.max(Duration::from_nanos(1))),
        format_duration(cpu_time)
    );
    Ok(())
}

// ANCHOR: sum
fn run_sum(queue: &Queue, program: &Program, n: usize, copy: f64) -> ocl::Result<()> {
    let values = gpu_reference::reduce_input(n);
    let groups = gpu_reference::groups_for(n);
    let values_device = Buffer::<u32>::builder()
        .queue(queue.clone())
        .flags(MemFlags::new().read_only())
        .len(n)
        .copy_host_slice(&values)
        .build()?;
    let partial_device = Buffer::<u32>::builder()
        .queue(queue.clone())
        .len(groups)
        .build()?;
    let kernel = Kernel::builder()
        .program(program)
        .name("reduce_sum")
        .queue(queue.clone())
        .global_work_size(launch_size(n))
        .local_work_size(GROUP_SIZE)
        .arg(&values_device)
        .arg(&partial_device)
        .arg(n as u32)
        .build()?;
    // SAFETY: as for saxpy; `partial` has one slot per work-group.
    unsafe { kernel.enq()? };
    let mut partial = vec![0u32; groups];
    partial_device.read(&mut partial).enq()?;
    // One partial sum per work-group: few enough to add on the host.
    let total = gpu_reference::sum(&partial);
    gpu_reference::check_sum(total, gpu_reference::sum(&values)).map_err(ocl::Error::from)?;
    // ANCHOR_END: sum
    let (ran, kernel_time) =
        fastest_of(5, || unsafe { kernel.enq() }.and_then(|()| queue.finish()));
    ran?;
    let (_, cpu_time) = fastest_of(5, || gpu_reference::sum(&values));
    println!(
        "sum    n = {n}: {total}, equal to the CPU's; kernel {} ({}), CPU loop {}",
        format_duration(kernel_time),
        gpu_reference::format_against_copy(n * size_of::<u32>(), kernel_time.as_secs_f64(), copy),
        format_duration(cpu_time)
    );
    Ok(())
}

// ANCHOR: scan
/// The scan in three steps: scan inside each work-group, turn the group totals into offsets
/// on the host, add each group's offset on the device.
fn scan_on_device(
    queue: &Queue,
    scan_groups: &Kernel,
    add_offsets: &Kernel,
    totals: &Buffer<u32>,
    offsets: &Buffer<u32>,
) -> ocl::Result<()> {
    // SAFETY: the arguments match the kernels' signatures; every index is checked against n.
    unsafe { scan_groups.enq()? };
    let mut group_totals = vec![0u32; totals.len()];
    totals.read(&mut group_totals).enq()?;
    offsets
        .write(&gpu_reference::group_offsets(&group_totals))
        .enq()?;
    unsafe { add_offsets.enq()? };
    queue.finish()
}
// ANCHOR_END: scan

fn run_scan(queue: &Queue, program: &Program, n: usize, copy: f64) -> ocl::Result<()> {
    let values = gpu_reference::reduce_input(n);
    let groups = gpu_reference::groups_for(n);
    let buffer = |len: usize| {
        Buffer::<u32>::builder()
            .queue(queue.clone())
            .len(len)
            .build()
    };
    let values_device = buffer(n)?;
    values_device.write(&values).enq()?;
    let (out, totals, offsets) = (buffer(n)?, buffer(groups)?, buffer(groups)?);
    let scan_groups = Kernel::builder()
        .program(program)
        .name("scan_groups")
        .queue(queue.clone())
        .global_work_size(launch_size(n))
        .local_work_size(GROUP_SIZE)
        .arg(&values_device)
        .arg(&out)
        .arg(&totals)
        .arg(n as u32)
        .build()?;
    let add_offsets = Kernel::builder()
        .program(program)
        .name("add_offsets")
        .queue(queue.clone())
        .global_work_size(launch_size(n))
        .local_work_size(GROUP_SIZE)
        .arg(&out)
        .arg(&offsets)
        .arg(n as u32)
        .build()?;
    scan_on_device(queue, &scan_groups, &add_offsets, &totals, &offsets)?;
    let mut gpu = vec![0u32; n];
    out.read(&mut gpu).enq()?;
    gpu_reference::check_scan(&gpu, &gpu_reference::inclusive_scan(&values))
        .map_err(ocl::Error::from)?;
    let (ran, time) = fastest_of(5, || {
        scan_on_device(queue, &scan_groups, &add_offsets, &totals, &offsets)
    });
    ran?;
    let (_, cpu_time) = fastest_of(5, || gpu_reference::inclusive_scan(&values));
    println!(
        "scan   n = {n}: every prefix equal to the CPU's; kernels {} ({}), CPU loop {}",
        format_duration(time),
        // Reads the input, writes the output, reads and writes it again to add offsets.
        gpu_reference::format_against_copy(4 * n * size_of::<u32>(), time.as_secs_f64(), copy),
        format_duration(cpu_time)
    );
    Ok(())
}

fn run_matmul(queue: &Queue, program: &Program, side: usize) -> ocl::Result<()> {
    let (a, b) = gpu_reference::matmul_inputs(side);
    let matrix = |values: Option<&[f32]>| {
        let builder = Buffer::<f32>::builder()
            .queue(queue.clone())
            .len(side * side);
        match values {
            Some(values) => builder.copy_host_slice(values).build(),
            None => builder.build(),
        }
    };
    let (a_device, b_device, c_device) = (matrix(Some(&a))?, matrix(Some(&b))?, matrix(None)?);
    let tiles = side.div_ceil(TILE) * TILE;
    let kernel = Kernel::builder()
        .program(program)
        .name("matmul_tiled")
        .queue(queue.clone())
        .global_work_size([tiles, tiles])
        .local_work_size([TILE, TILE])
        .arg(&a_device)
        .arg(&b_device)
        .arg(&c_device)
        .arg(side as u32)
        .build()?;
    // SAFETY: the arguments match the kernel's signature; rows and columns are checked
    // against n inside it.
    unsafe { kernel.enq()? };
    let mut c = vec![0.0f32; side * side];
    c_device.read(&mut c).enq()?;
    let error = gpu_reference::check_matmul(&c, &gpu_reference::matmul(&a, &b, side), side)
        .map_err(ocl::Error::from)?;
    let (ran, time) = fastest_of(3, || unsafe { kernel.enq() }.and_then(|()| queue.finish()));
    ran?;
    let (_, cpu_time) = fastest_of(3, || gpu_reference::matmul(&a, &b, side));
    let flops = gpu_reference::matmul_flops(side);
    println!(
        "matmul {side} x {side}: matches the CPU (largest relative error {error:.1e}); kernel {} \
         ({}), CPU loop {} ({})",
        format_duration(time),
        gpu_reference::format_gflops(flops, time.as_secs_f64()),
        format_duration(cpu_time),
        gpu_reference::format_gflops(flops, cpu_time.as_secs_f64()),
    );
    Ok(())
}
