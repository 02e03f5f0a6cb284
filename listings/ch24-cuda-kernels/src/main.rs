//! The CUDA listing's program: compiles the chapter's kernels to PTX with NVRTC
//! (no GPU needed), then runs and checks them on an NVIDIA GPU if there is one.

use std::process::ExitCode;

use ch24_cuda_kernels::{
    ARCHITECTURES, CUBLAS_MISSING, Cuda, compile, cublas_present, devices,
    entry_points, shares_of_reference,
};
use clap::Parser;
use gpu_reference::{Backend, Problem, kernels};

#[derive(Debug, Parser)]
#[command(
    about = "SAXPY, sum, scan and tiled matrix multiply in CUDA C: compiled to PTX by NVRTC, run on an NVIDIA GPU if one is present"
)]
struct Args {
    /// Elements per problem.
    #[arg(long, default_value_t = 1 << 22, value_parser = clap::value_parser!(u32).range(1..=1 << 28))]
    size: u32,
    /// Side of the square matrices of the matrix multiply.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=8192))]
    matrix: u32,
    /// Compile the kernels and print what NVRTC produced; do not look for a
    /// GPU.
    #[arg(long)]
    ptx_only: bool,
    /// The GPU architecture NVRTC compiles for (`compute_90` is the H100's).
    #[arg(long, default_value = "compute_90", value_parser = ARCHITECTURES)]
    arch: String,
    /// Print the NVIDIA GPUs present (or what is missing), then stop.
    #[arg(long)]
    list_devices: bool,
    /// Also write the PTX files into this folder (for `ptxas`, or to read
    /// them).
    #[arg(long, value_name = "DIR")]
    emit_ptx: Option<std::path::PathBuf>,
    /// Compile this `.cu` file instead of the book's kernels (to see NVRTC's
    /// error log).
    #[arg(long, value_name = "FILE")]
    kernel: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(code) = ch24_cuda_kernels::rerun_with_tool_libraries() {
        return code;
    }
    book_helpers::cli::exit_code(run(&args))
}

fn run(args: &Args) -> Result<(), String> {
    if args.list_devices {
        for line in devices()? {
            println!("{line}");
        }
        return Ok(());
    }
    // clap has checked the name against the list; NVRTC wants a `'static`
    // string.
    let arch = ARCHITECTURES
        .into_iter()
        .find(|known| *known == args.arch)
        .unwrap_or("compute_90");
    if let Some(path) = &args.kernel {
        let source = std::fs::read_to_string(path).map_err(|error| {
            format!("cannot read {}: {error}", path.display())
        })?;
        let ptx = compile(&source, arch)?;
        println!(
            "{}: {} lines of PTX, entry points {:?}",
            path.display(),
            ptx.to_src().lines().count(),
            entry_points(&ptx.to_src())
        );
        return Ok(());
    }
    let modules = [
        ("saxpy.cu", kernels::SAXPY_CU),
        ("reduce.cu", kernels::REDUCE_CU),
        ("scan.cu", kernels::SCAN_CU),
        ("matmul.cu", kernels::MATMUL_CU),
        ("mandelbrot.cu", kernels::MANDELBROT_CU),
        ("reduce_warp.cu", kernels::REDUCE_WARP_CU),
        ("matmul_blocked.cu", kernels::MATMUL_BLOCKED_CU),
    ];
    for (file, source) in modules {
        let ptx = compile(source, arch)?.to_src();
        println!(
            "{file:<17} -> PTX for {arch}: {} lines, entry points {:?}",
            ptx.lines().count(),
            entry_points(&ptx)
        );
        if let Some(dir) = &args.emit_ptx {
            let path = dir.join(file.replace(".cu", ".ptx"));
            std::fs::create_dir_all(dir)
                .and_then(|()| std::fs::write(&path, &ptx))
                .map_err(|error| {
                    format!("cannot write {}: {error}", path.display())
                })?;
        }
    }
    if args.ptx_only {
        return Ok(());
    }
    let cuda = Cuda::open(arch)?;
    println!("device: {}", cuda.describe());
    let n = args.size as usize;
    let copy = cuda.copy_bandwidth(n)?;
    println!(
        "device copy: {} (reading and writing; the limit for kernels that stream memory)",
        gpu_reference::format_bandwidth(copy as usize, 1.0)
    );
    for problem in Problem::ALL {
        let size = problem.size(n, args.matrix as usize);
        let simple = cuda.run(problem, size)?;
        println!("{}", simple.line(copy));
        let mut hand = vec![simple];
        if let Some(tuned) = cuda.run_tuned(problem, size) {
            let tuned = tuned?;
            println!("{}", tuned.line(copy));
            hand.push(tuned);
        }
        if problem == Problem::Matmul {
            // cuBLAS on the same inputs: the rate the hand kernels are judged
            // against.
            if cublas_present() {
                let reference = cuda.matmul_cublas(size)?;
                println!("{}", reference.line(copy));
                println!("{}", shares_of_reference(&hand, &reference));
            } else {
                println!(
                    "{problem} {}: no cuBLAS row. {CUBLAS_MISSING}",
                    problem.size_label(size)
                );
            }
        }
    }
    let view = gpu_reference::View::whole_set(640, 400, 256);
    let (picture, _) = cuda.mandelbrot(&view)?;
    let differ = gpu_reference::check_mandelbrot(
        &picture,
        &gpu_reference::mandelbrot(&view),
        view.width,
    )?;
    println!(
        "mandelbrot {} pixels: {differ} differ from the CPU's",
        view.pixels()
    );
    Ok(())
}
