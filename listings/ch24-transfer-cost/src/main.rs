//! When the GPU is not worth it. A kernel's time is only part of the bill: the
//! inputs must be copied to the device and the result copied back. This listing
//! runs SAXPY on the OpenCL device at growing sizes and times the three parts
//! separately, next to the plain CPU loop.

use std::process::ExitCode;
use std::time::Duration;

use book_helpers::{fastest_of, format_duration, format_speedup};
use clap::Parser;
use gpu_reference::{GROUP_SIZE, SAXPY_A, kernels};
use ocl::{Buffer, Kernel, ProQue};

#[derive(Debug, Parser)]
#[command(
    about = "SAXPY on the OpenCL device at growing sizes: copies in, kernel, copy out, against the CPU loop"
)]
struct Args {
    /// The largest size; the table starts at 1000 and grows by 8x up to it.
    #[arg(long, default_value_t = 16_000_000, value_parser = clap::value_parser!(u32).range(1000..=64_000_000))]
    max_size: u32,
    /// Timed runs per measurement; the fastest is kept.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=100))]
    runs: u16,
}

fn main() -> ExitCode {
    let args = Args::parse();
    book_helpers::cli::exit_code(run(&args))
}

/// One row of the table.
struct Costs {
    copy_in: Duration,
    kernel: Duration,
    copy_out: Duration,
    cpu: Duration,
}

fn run(args: &Args) -> Result<(), String> {
    if ocl::core::get_platform_ids().map_or(true, |ids| ids.is_empty()) {
        return Err(
            "no OpenCL platform found: install a driver for your GPU, or PoCL for the CPU \
                    (Debian: apt-get install pocl-opencl-icd; `cargo xtask setup` does it)"
                .to_string(),
        );
    }
    let pro_que = ProQue::builder()
        .src(kernels::SAXPY_CL)
        .dims(GROUP_SIZE)
        .build()
        .map_err(|error| format!("OpenCL: {error}"))?;
    println!(
        "OpenCL device: {}",
        pro_que.device().name().unwrap_or_default()
    );
    println!(
        "{:>10}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}  device / CPU",
        "n", "copy in", "kernel", "copy out", "device", "CPU loop"
    );
    let mut n = 1000usize;
    while n <= args.max_size as usize {
        let costs = measure(&pro_que, n, args.runs as usize)
            .map_err(|error| format!("OpenCL, n = {n}: {error}"))?;
        let device = costs.copy_in + costs.kernel + costs.copy_out;
        println!(
            "{n:>10}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}  {}",
            format_duration(costs.copy_in),
            format_duration(costs.kernel),
            format_duration(costs.copy_out),
            format_duration(device),
            format_duration(costs.cpu),
            // How many times longer the device's whole trip takes than the CPU
            // loop.
            format_speedup(device, costs.cpu),
        );
        n *= 8;
    }
    Ok(())
}

// ANCHOR: measure
/// Times each part of a SAXPY on the device, checking the result first.
fn measure(pro_que: &ProQue, n: usize, runs: usize) -> ocl::Result<Costs> {
    let (x, y) = gpu_reference::saxpy_inputs(n);
    let buffer = || {
        Buffer::<f32>::builder()
            .queue(pro_que.queue().clone())
            .len(n)
            .build()
    };
    let (x_device, y_device) = (buffer()?, buffer()?);
    let kernel = Kernel::builder()
        .program(pro_que.program())
        .name("saxpy")
        .queue(pro_que.queue().clone())
        .global_work_size(gpu_reference::groups_for(n) * GROUP_SIZE)
        .local_work_size(GROUP_SIZE)
        .arg(SAXPY_A)
        .arg(&x_device)
        .arg(&y_device)
        .arg(n as u32)
        .build()?;
    let mut result = vec![0.0f32; n];
    let copy_in = || {
        x_device.write(&x).enq()?;
        y_device.write(&y).enq()?;
        pro_que.finish()
    };
    // SAFETY: the arguments match the kernel's signature; it checks i < n
    // itself.
    let launch = || unsafe { kernel.enq() }.and_then(|()| pro_que.finish());

    copy_in()?;
    launch()?;
    y_device.read(&mut result).enq()?;
    gpu_reference::check_saxpy(&result, &gpu_reference::saxpy(SAXPY_A, &x, &y))
        .map_err(ocl::Error::from)?;

    let (copied, copy_in) = fastest_of(runs, copy_in);
    copied?;
    let (ran, kernel_time) = fastest_of(runs, launch);
    ran?;
    let (read, copy_out) =
        fastest_of(runs, || y_device.read(&mut result).enq());
    read?;
    let (_, cpu) = fastest_of(runs, || gpu_reference::saxpy(SAXPY_A, &x, &y));
    Ok(Costs {
        copy_in,
        kernel: kernel_time,
        copy_out,
        cpu,
    })
}
// ANCHOR_END: measure
