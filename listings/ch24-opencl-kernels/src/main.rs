//! The OpenCL listing's program: the chapter's four kernels in OpenCL C on one
//! OpenCL device, each checked against the CPU and timed next to the plain CPU
//! loop.

use std::process::ExitCode;

use book_helpers::measure::Machine;
use ch24_opencl_kernels::{OpenCl, all_devices, describe};
use clap::Parser;
use gpu_reference::{Backend, Cpu, Problem};

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
    /// Compile this OpenCL C file instead of the book's kernels (to see the
    /// compiler's log).
    #[arg(long, value_name = "FILE")]
    kernel: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    book_helpers::cli::exit_code(run(&args))
}

fn run(args: &Args) -> Result<(), String> {
    if args.list_devices {
        for (index, (platform, device)) in all_devices()?.iter().enumerate() {
            println!("{index}: {}", describe(platform, device));
        }
        return Ok(());
    }
    let opencl = OpenCl::open(args.device)?;
    println!("OpenCL device: {}", opencl.describe());
    if let Some(path) = &args.kernel {
        let source = std::fs::read_to_string(path).map_err(|error| {
            format!("cannot read {}: {error}", path.display())
        })?;
        opencl.compile(&source)?;
        println!("{} compiled", path.display());
        return Ok(());
    }
    let n = usize::try_from(args.size)
        .map_err(|_| "--size does not fit in memory".to_string())?;
    opencl.check_fits(n)?;
    // Rows print as they are measured; the machine line, which needs the
    // load at the end, comes last.
    let machine = Machine::now();
    let copy = opencl.copy_bandwidth(n)?;
    println!(
        "device copy: {} (reading and writing; the limit for kernels that stream memory)",
        gpu_reference::format_bandwidth(copy as usize, 1.0)
    );
    for problem in Problem::ALL {
        let size = problem.size(n, args.matrix as usize);
        let measured = opencl.run(problem, size)?;
        let cpu = Cpu.run(problem, size)?;
        println!("{}, CPU loop {}", measured.line(copy), cpu.time.display());
        if let Some(tuned) = opencl.run_tuned(problem, size) {
            println!("{}", tuned?.line(copy));
        }
    }
    println!("{}", machine.header());
    Ok(())
}
