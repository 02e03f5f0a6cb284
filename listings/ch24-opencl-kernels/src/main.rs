//! The chapter's SAXPY and sum in OpenCL C, run through the `ocl` crate on an OpenCL device:
//! a GPU where there is one, PoCL (an OpenCL implementation for the CPU) otherwise. Every
//! result is checked against the CPU reference before any time is printed.

use std::process::ExitCode;
use std::time::Duration;

use book_helpers::{fastest_of, format_duration, timed};
use clap::Parser;
use gpu_reference::{GROUP_SIZE, SAXPY_A, kernels};
use ocl::enums::{DeviceInfo, DeviceInfoResult};
use ocl::{Buffer, Context, Device, Kernel, MemFlags, Platform, Program, Queue};

#[derive(Debug, Parser)]
#[command(about = "SAXPY and a sum in OpenCL C on an OpenCL device, checked against the CPU")]
struct Args {
    /// Elements per problem.
    #[arg(long, default_value_t = 1 << 22, value_parser = clap::value_parser!(u64).range(1..))]
    size: u64,
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
    run_saxpy(&queue, &saxpy, n).map_err(|error| format!("saxpy: {error}"))?;
    run_sum(&queue, &reduce, n).map_err(|error| format!("sum: {error}"))
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
fn run_saxpy(queue: &Queue, program: &Program, n: usize) -> ocl::Result<()> {
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
        gpu_reference::format_bandwidth(gpu_reference::saxpy_bytes(n), kernel_time.as_secs_f64()),
        format_duration(upload.max(Duration::from_nanos(1))),
        format_duration(cpu_time)
    );
    Ok(())
}

// ANCHOR: sum
fn run_sum(queue: &Queue, program: &Program, n: usize) -> ocl::Result<()> {
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
        gpu_reference::format_bandwidth(n * size_of::<u32>(), kernel_time.as_secs_f64()),
        format_duration(cpu_time)
    );
    Ok(())
}
