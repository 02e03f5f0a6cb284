//! When the GPU is not worth it. A kernel's time is only part of the bill: the
//! inputs must be copied to the device and the result copied back. This listing
//! runs SAXPY on the OpenCL device at growing sizes and times the three parts
//! separately, next to the plain CPU loop.

use std::hint::black_box;
use std::process::ExitCode;

use book_helpers::format_speedup;
use book_helpers::measure::{Machine, Summary, interleaved};
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
    /// Timed rounds per size, after a warm-up; each part's median is shown,
    /// with how far the farthest round lay from it.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=100))]
    runs: u16,
}

fn main() -> ExitCode {
    let args = Args::parse();
    book_helpers::cli::exit_code(run(&args))
}

/// One row of the table.
struct Costs {
    copy_in: Summary,
    kernel: Summary,
    copy_out: Summary,
    cpu: Summary,
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
    let machine = Machine::now();
    let mut rows = Vec::new();
    let mut n = 1000usize;
    while n <= args.max_size as usize {
        let costs = measure(&pro_que, n, args.runs as usize)
            .map_err(|error| format!("OpenCL, n = {n}: {error}"))?;
        let device = costs.copy_in.median()
            + costs.kernel.median()
            + costs.copy_out.median();
        rows.push(format!(
            "{n:>8}  {:>13}  {:>13}  {:>13}  {:>9}  {:>13}  {:>12}",
            costs.copy_in.display_narrow(),
            costs.kernel.display_narrow(),
            costs.copy_out.display_narrow(),
            book_helpers::format_duration(device),
            costs.cpu.display_narrow(),
            // How many times longer the device's whole trip takes than the CPU
            // loop.
            format_speedup(device, costs.cpu.median()),
        ));
        n *= 8;
    }
    println!("{}", machine.header());
    println!(
        "OpenCL device: {}",
        pro_que.device().name().unwrap_or_default()
    );
    println!(
        "{} rounds per size after a warm-up, the four parts in turn; \
         median ±farthest round",
        args.runs
    );
    println!(
        "{:>8}  {:>13}  {:>13}  {:>13}  {:>9}  {:>13}  device / CPU",
        "n", "copy in", "kernel", "copy out", "device", "CPU loop"
    );
    for row in rows {
        println!("{row}");
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
    let mut copy_in = || {
        x_device.write(&x).enq()?;
        y_device.write(&y).enq()?;
        pro_que.finish()
    };
    // SAFETY: the arguments match the kernel's signature; it checks i < n
    // itself.
    let mut launch = || unsafe { kernel.enq() }.and_then(|()| pro_que.finish());

    copy_in()?;
    launch()?;
    y_device.read(&mut result).enq()?;
    gpu_reference::check_saxpy(&result, &gpu_reference::saxpy(SAXPY_A, &x, &y))
        .map_err(ocl::Error::from)?;

    // The four parts take turns, round after round, on the host's clock:
    // each device part ends when the queue has finished it.
    let mut copy_out = || y_device.read(&mut result).enq();
    // The CPU writes into a buffer made once, as the kernel does.
    let mut on_the_cpu = vec![0.0f32; n];
    let mut cpu = || {
        gpu_reference::saxpy_into(SAXPY_A, &x, &y, &mut on_the_cpu);
        black_box(&mut on_the_cpu);
        Ok(())
    };
    let mut parts = interleaved(
        runs,
        &mut [&mut copy_in, &mut launch, &mut copy_out, &mut cpu],
    )?
    .into_iter()
    .map(|(time, ())| time);
    let mut part = || parts.next().expect("four parts, four summaries");
    Ok(Costs {
        copy_in: part(),
        kernel: part(),
        copy_out: part(),
        cpu: part(),
    })
}
// ANCHOR_END: measure
