//! The chapter's four kernels (SAXPY, sum, scan, tiled matrix multiply) in CUDA C. NVRTC,
//! NVIDIA's run-time compiler, turns the `.cu` files into PTX (the GPU's portable assembly)
//! on any machine; running the PTX needs the NVIDIA driver and a GPU, and without them the
//! program says which is missing.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use cudarc::driver::{CudaContext, LaunchConfig, PushKernelArg};
use cudarc::nvrtc::{CompileError, CompileOptions, Ptx};
use gpu_reference::{GROUP_SIZE, SAXPY_A, TILE, kernels};

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
    /// Compile the kernels and print what NVRTC produced; do not look for a GPU.
    #[arg(long)]
    ptx_only: bool,
    /// The GPU architecture NVRTC compiles for (`compute_90` is the H100's).
    #[arg(long, default_value = "compute_90", value_parser = ["compute_75", "compute_80", "compute_86", "compute_89", "compute_90"])]
    arch: String,
    /// Print the NVIDIA GPUs present (or what is missing), then stop.
    #[arg(long)]
    list_devices: bool,
    /// Also write the PTX files into this folder (for `ptxas`, or to read them).
    #[arg(long, value_name = "DIR")]
    emit_ptx: Option<std::path::PathBuf>,
    /// Compile this `.cu` file instead of the book's kernels (to see NVRTC's error log).
    #[arg(long, value_name = "FILE")]
    kernel: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(code) = rerun_with_setup_nvrtc() {
        return code;
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Set when this program restarted itself with NVRTC on `LD_LIBRARY_PATH`, so it does so once.
const RESTARTED: &str = "CH24_CUDA_NVRTC_PATH_SET";

/// The dynamic loader reads `LD_LIBRARY_PATH` once, when the program starts. If NVRTC is not
/// on it but `cargo xtask setup` installed it, run this program again with that folder added,
/// so `cargo run -p ch24-cuda-kernels` works without exporting anything.
fn rerun_with_setup_nvrtc() -> Option<ExitCode> {
    // SAFETY: only probes whether the library can be loaded.
    if unsafe { cudarc::nvrtc::sys::is_culib_present() } || std::env::var_os(RESTARTED).is_some() {
        return None;
    }
    let lib = nvrtc_from_setup()?;
    let current = std::env::var_os("LD_LIBRARY_PATH").unwrap_or_default();
    let paths = std::iter::once(lib).chain(std::env::split_paths(&current));
    let status = std::process::Command::new(std::env::current_exe().ok()?)
        .args(std::env::args_os().skip(1))
        .env("LD_LIBRARY_PATH", std::env::join_paths(paths).ok()?)
        .env(RESTARTED, "1")
        .status()
        .ok()?;
    Some(ExitCode::from(status.code().map_or(1, |code| code as u8)))
}

/// Where `cargo xtask setup` puts NVRTC: the book's tool folder (see `xtask/src/setup.rs`).
fn nvrtc_from_setup() -> Option<std::path::PathBuf> {
    let tools = match std::env::var_os("BOOK_TOOLS_DIR") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => std::env::var_os("XDG_CACHE_HOME")
            .filter(|dir| !dir.is_empty())
            .map(std::path::PathBuf::from)
            .or_else(|| std::env::home_dir().map(|home| home.join(".cache")))?
            .join("concurrency-is-structure"),
    };
    let lib = tools.join("nvidia-cuda-nvrtc-cu12-12.9.86/nvidia/cuda_nvrtc/lib");
    lib.join("libnvrtc.so.12").is_file().then_some(lib)
}

fn run(args: &Args) -> Result<(), String> {
    if args.list_devices {
        return list_devices();
    }
    let arch = arch_name(&args.arch);
    if let Some(path) = &args.kernel {
        let source = std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        let ptx = compile(&source, arch)?;
        println!(
            "{}: {} lines of PTX, entry points {:?}",
            path.display(),
            ptx.to_src().lines().count(),
            entry_points(&ptx.to_src())
        );
        return Ok(());
    }
    let saxpy = compile(kernels::SAXPY_CU, arch)?;
    let reduce = compile(kernels::REDUCE_CU, arch)?;
    let scan = compile(kernels::SCAN_CU, arch)?;
    let matmul = compile(kernels::MATMUL_CU, arch)?;
    let mandelbrot = compile(kernels::MANDELBROT_CU, arch)?;
    let modules = [
        ("saxpy.cu", &saxpy),
        ("reduce.cu", &reduce),
        ("scan.cu", &scan),
        ("matmul.cu", &matmul),
        ("mandelbrot.cu", &mandelbrot),
    ];
    for (file, ptx) in modules {
        let source = ptx.to_src();
        println!(
            "{file:<13} -> PTX for {arch}: {} lines, entry points {:?}",
            source.lines().count(),
            entry_points(&source)
        );
        if let Some(dir) = &args.emit_ptx {
            let path = dir.join(file.replace(".cu", ".ptx"));
            std::fs::create_dir_all(dir)
                .and_then(|()| std::fs::write(&path, &source))
                .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
        }
    }
    if args.ptx_only {
        return Ok(());
    }
    run_on_gpu(
        args.size as usize,
        args.matrix as usize,
        [saxpy, reduce, scan, matmul, mandelbrot],
    )
}

/// clap has checked the name against the list; NVRTC wants a `'static` string.
fn arch_name(arch: &str) -> &'static str {
    [
        "compute_75",
        "compute_80",
        "compute_86",
        "compute_89",
        "compute_90",
    ]
    .into_iter()
    .find(|known| *known == arch)
    .unwrap_or("compute_90")
}

// ANCHOR: compile
/// CUDA C to PTX with NVRTC; a kernel that does not compile comes back with NVRTC's log.
fn compile(source: &str, arch: &'static str) -> Result<Ptx, String> {
    // cudarc loads libnvrtc when first used and panics if it cannot: look first.
    // SAFETY: only probes whether the library can be loaded.
    if !unsafe { cudarc::nvrtc::sys::is_culib_present() } {
        return Err(
            "NVRTC (libnvrtc.so.12) is neither on LD_LIBRARY_PATH nor in the book's tool folder: \
             `cargo xtask setup` installs it there from the nvidia-cuda-nvrtc-cu12 wheel"
                .to_string(),
        );
    }
    let options = CompileOptions {
        arch: Some(arch),
        ..Default::default()
    };
    cudarc::nvrtc::compile_ptx_with_opts(source, options).map_err(|error| match error {
        CompileError::CompileError { log, .. } => {
            format!(
                "NVRTC could not compile the kernel:\n{}",
                log.to_string_lossy().trim_end()
            )
        }
        other => format!("NVRTC failed: {other:?}"),
    })
}
// ANCHOR_END: compile

/// The kernels a PTX module exports: its `.entry` lines.
fn entry_points(ptx: &str) -> Vec<&str> {
    ptx.lines()
        .filter_map(|line| line.trim_start().strip_prefix(".visible .entry "))
        .map(|rest| rest.split('(').next().unwrap_or(rest).trim())
        .collect()
}

fn list_devices() -> Result<(), String> {
    // SAFETY: only probes whether the libraries can be loaded.
    let nvrtc = unsafe { cudarc::nvrtc::sys::is_culib_present() };
    println!(
        "NVRTC (compiles CUDA C to PTX): {}",
        if nvrtc { "found" } else { "not found" }
    );
    if !open_driver()? {
        println!("NVIDIA driver (libcuda.so): not found, so no CUDA devices");
        return Ok(());
    }
    let count = CudaContext::device_count().map_err(|error| format!("CUDA: {error}"))?;
    for ordinal in 0..count.max(0) as usize {
        let context = CudaContext::new(ordinal).map_err(|error| format!("CUDA: {error}"))?;
        let name = context.name().map_err(|error| format!("CUDA: {error}"))?;
        println!("{ordinal}: {name}");
    }
    Ok(())
}

/// Whether the NVIDIA driver library can be loaded (cudarc panics on first use if not).
fn open_driver() -> Result<bool, String> {
    // SAFETY: only probes whether the library can be loaded.
    Ok(unsafe { cudarc::driver::sys::is_culib_present() })
}

/// Loads the PTX on GPU 0, runs every kernel and checks it against the CPU.
fn run_on_gpu(
    n: usize,
    side: usize,
    [saxpy, reduce, scan, matmul, mandelbrot]: [Ptx; 5],
) -> Result<(), String> {
    if !open_driver()? {
        return Err(
            "no NVIDIA driver (libcuda.so) on this machine, so no CUDA GPU to run the PTX on; \
             the kernels compiled (above). Run with --ptx-only to stop there, or use the OpenCL \
             and wgpu listings, which run on a CPU device"
                .to_string(),
        );
    }
    let gpu = |error: cudarc::driver::DriverError| format!("CUDA: {error}");
    let context: Arc<CudaContext> = CudaContext::new(0).map_err(|error| {
        format!("the NVIDIA driver is present but found no usable GPU: {error}")
    })?;
    println!("device: {}", context.name().map_err(gpu)?);
    let stream = context.default_stream();
    let groups = gpu_reference::groups_for(n);
    let config = LaunchConfig {
        grid_dim: (groups as u32, 1, 1),
        block_dim: (GROUP_SIZE as u32, 1, 1),
        shared_mem_bytes: 0,
    };
    let count = n as u32;

    let (x, y) = gpu_reference::saxpy_inputs(n);
    let x_device = stream.clone_htod(&x).map_err(gpu)?;
    let mut y_device = stream.clone_htod(&y).map_err(gpu)?;
    let saxpy = context
        .load_module(saxpy)
        .map_err(gpu)?
        .load_function("saxpy")
        .map_err(gpu)?;
    let mut launch = stream.launch_builder(&saxpy);
    launch
        .arg(&SAXPY_A)
        .arg(&x_device)
        .arg(&mut y_device)
        .arg(&count);
    // SAFETY: the arguments match the kernel's signature and the grid covers exactly n items.
    unsafe { launch.launch(config) }.map_err(gpu)?;
    let y_gpu = stream.clone_dtoh(&y_device).map_err(gpu)?;
    let error = gpu_reference::check_saxpy(&y_gpu, &gpu_reference::saxpy(SAXPY_A, &x, &y))?;
    println!("saxpy  n = {n}: matches the CPU (largest relative error {error:.1e})");

    let values = gpu_reference::reduce_input(n);
    let values_device = stream.clone_htod(&values).map_err(gpu)?;
    let mut partial_device = stream.alloc_zeros::<u32>(groups).map_err(gpu)?;
    let reduce = context
        .load_module(reduce)
        .map_err(gpu)?
        .load_function("reduce_sum")
        .map_err(gpu)?;
    let mut launch = stream.launch_builder(&reduce);
    launch
        .arg(&values_device)
        .arg(&mut partial_device)
        .arg(&count);
    // SAFETY: as above; `partial` has one slot per block.
    unsafe { launch.launch(config) }.map_err(gpu)?;
    let partial = stream.clone_dtoh(&partial_device).map_err(gpu)?;
    let total = gpu_reference::sum(&partial);
    gpu_reference::check_sum(total, gpu_reference::sum(&values))?;
    println!("sum    n = {n}: {total}, equal to the CPU's");

    // The scan: scan each block, offsets from the block totals on the host, add them.
    let scan = context.load_module(scan).map_err(gpu)?;
    let scan_groups = scan.load_function("scan_groups").map_err(gpu)?;
    let add_offsets = scan.load_function("add_offsets").map_err(gpu)?;
    let mut out_device = stream.alloc_zeros::<u32>(n).map_err(gpu)?;
    let mut totals_device = stream.alloc_zeros::<u32>(groups).map_err(gpu)?;
    let mut launch = stream.launch_builder(&scan_groups);
    launch
        .arg(&values_device)
        .arg(&mut out_device)
        .arg(&mut totals_device)
        .arg(&count);
    // SAFETY: as above; `totals` has one slot per block.
    unsafe { launch.launch(config) }.map_err(gpu)?;
    let totals = stream.clone_dtoh(&totals_device).map_err(gpu)?;
    let offsets_device = stream
        .clone_htod(&gpu_reference::group_offsets(&totals))
        .map_err(gpu)?;
    let mut launch = stream.launch_builder(&add_offsets);
    launch.arg(&mut out_device).arg(&offsets_device).arg(&count);
    // SAFETY: as above; `offsets` has one slot per block.
    unsafe { launch.launch(config) }.map_err(gpu)?;
    let scanned = stream.clone_dtoh(&out_device).map_err(gpu)?;
    gpu_reference::check_scan(&scanned, &gpu_reference::inclusive_scan(&values))?;
    println!("scan   n = {n}: every prefix equal to the CPU's");

    // The tiled matrix multiply: a 2-D grid of 16 x 16 blocks.
    let (a, b) = gpu_reference::matmul_inputs(side);
    let a_device = stream.clone_htod(&a).map_err(gpu)?;
    let b_device = stream.clone_htod(&b).map_err(gpu)?;
    let mut c_device = stream.alloc_zeros::<f32>(side * side).map_err(gpu)?;
    let matmul = context
        .load_module(matmul)
        .map_err(gpu)?
        .load_function("matmul_tiled")
        .map_err(gpu)?;
    let tiles = side.div_ceil(TILE) as u32;
    let tiled = LaunchConfig {
        grid_dim: (tiles, tiles, 1),
        block_dim: (TILE as u32, TILE as u32, 1),
        shared_mem_bytes: 0,
    };
    let side_arg = side as u32;
    let mut launch = stream.launch_builder(&matmul);
    launch
        .arg(&a_device)
        .arg(&b_device)
        .arg(&mut c_device)
        .arg(&side_arg);
    // SAFETY: as above; rows and columns are checked against n inside the kernel.
    unsafe { launch.launch(tiled) }.map_err(gpu)?;
    let c = stream.clone_dtoh(&c_device).map_err(gpu)?;
    let error = gpu_reference::check_matmul(&c, &gpu_reference::matmul(&a, &b, side), side)?;
    println!("matmul {side} x {side}: matches the CPU (largest relative error {error:.1e})");

    // Mandelbrot: one thread per pixel, compared with the CPU's picture.
    let view = gpu_reference::View::whole_set(640, 400, 256);
    let mut picture_device = stream.alloc_zeros::<u32>(view.pixels()).map_err(gpu)?;
    let mandelbrot = context
        .load_module(mandelbrot)
        .map_err(gpu)?
        .load_function("mandelbrot")
        .map_err(gpu)?;
    let pixels = LaunchConfig {
        grid_dim: (view.width.div_ceil(16), view.height.div_ceil(16), 1),
        block_dim: (16, 16, 1),
        shared_mem_bytes: 0,
    };
    let mut launch = stream.launch_builder(&mandelbrot);
    launch
        .arg(&mut picture_device)
        .arg(&view.width)
        .arg(&view.height)
        .arg(&view.max_iter)
        .arg(&view.x_min)
        .arg(&view.y_min)
        .arg(&view.step);
    // SAFETY: as above; the kernel checks each pixel against width and height.
    unsafe { launch.launch(pixels) }.map_err(gpu)?;
    let picture = stream.clone_dtoh(&picture_device).map_err(gpu)?;
    let differ = gpu_reference::check_mandelbrot(&picture, &gpu_reference::mandelbrot(&view))?;
    println!(
        "mandelbrot {} pixels: {differ} differ from the CPU's",
        view.pixels()
    );
    Ok(())
}
