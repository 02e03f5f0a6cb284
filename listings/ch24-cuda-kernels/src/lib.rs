//! The chapter's four kernels (SAXPY, sum, scan, tiled matrix multiply) in CUDA
//! C. NVRTC, NVIDIA's run-time compiler, turns the `.cu` files into PTX (the
//! GPU's portable assembly) on any machine; running the PTX needs the NVIDIA
//! driver and a GPU, and without them the program says which is missing. On a
//! GPU the matrix product gets one more row, cuBLAS's SGEMM on the same inputs:
//! the rate the hand-written kernels are measured against.
//!
//! A library, so that this listing's program and the chapter's one program for
//! every device (`ch24-every-device`) run the same code.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use book_helpers::measure::{Summary, self_timed};
use cudarc::cublas::result::CublasError;
use cudarc::cublas::sys::cublasOperation_t;
use cudarc::cublas::{CudaBlas, Gemm, GemmConfig};
use cudarc::driver::sys::{CUdevice_attribute, CUevent_flags};
use cudarc::driver::{
    CudaContext, CudaFunction, CudaSlice, CudaStream, DriverError, LaunchArgs,
    LaunchConfig, PushKernelArg,
};
use cudarc::nvrtc::{CompileError, CompileOptions, Ptx};
use gpu_reference::{
    Backend, COPY_RUNS, GROUP_SIZE, Measured, Problem, SAXPY_A, TILE, View,
    kernels,
};

/// The GPU architectures `--arch` accepts (`compute_90` is the H100's).
pub const ARCHITECTURES: [&str; 5] = [
    "compute_75",
    "compute_80",
    "compute_86",
    "compute_89",
    "compute_90",
];

/// Set when this program restarted itself with the tool folder's libraries on
/// `LD_LIBRARY_PATH`, so it does so once.
const RESTARTED: &str = "CH24_CUDA_LIBRARY_PATH_SET";

/// A CUDA library this program loads when it runs, and the folder inside the
/// book's tool folder where `cargo xtask` installs it.
struct ToolLibrary {
    file: &'static str,
    dir: &'static str,
    /// Whether the dynamic loader finds it as things stand.
    present: fn() -> bool,
}

/// NVRTC, which `cargo xtask setup` installs.
const NVRTC: ToolLibrary = ToolLibrary {
    file: "libnvrtc.so.12",
    dir: book_helpers::tools::NVRTC_LIB_DIR,
    present: nvrtc_present,
};

/// cuBLAS, which `cargo xtask gpu-report` installs.
const CUBLAS: ToolLibrary = ToolLibrary {
    file: "libcublas.so.12",
    dir: book_helpers::tools::CUBLAS_LIB_DIR,
    present: cublas_present,
};

/// The dynamic loader reads `LD_LIBRARY_PATH` once, when the program starts. If
/// NVRTC or cuBLAS is not on it but `cargo xtask` installed it, run this
/// program again with those folders added, so `cargo run` works without
/// exporting anything. Returns the restarted run's exit code, or `None` when
/// this process should go on itself.
pub fn rerun_with_tool_libraries() -> Option<ExitCode> {
    if std::env::var_os(RESTARTED).is_some() {
        return None;
    }
    let tools = book_helpers::tools::folder()?;
    // The file is looked for first: probing a library loads it.
    let missing: Vec<_> = [NVRTC, CUBLAS]
        .iter()
        .filter_map(|library| {
            let dir = installed_in(&tools, library)?;
            (!(library.present)()).then_some(dir)
        })
        .collect();
    if missing.is_empty() {
        return None;
    }
    let current = std::env::var_os("LD_LIBRARY_PATH").unwrap_or_default();
    let paths = missing.into_iter().chain(std::env::split_paths(&current));
    let status = std::process::Command::new(std::env::current_exe().ok()?)
        .args(std::env::args_os().skip(1))
        .env("LD_LIBRARY_PATH", std::env::join_paths(paths).ok()?)
        .env(RESTARTED, "1")
        .status()
        .ok()?;
    Some(ExitCode::from(status.code().map_or(1, |code| code as u8)))
}

/// The folder inside the tool folder `tools` that holds `library`, if it is
/// installed there.
fn installed_in(
    tools: &std::path::Path,
    library: &ToolLibrary,
) -> Option<std::path::PathBuf> {
    let lib = tools.join(library.dir);
    lib.join(library.file).is_file().then_some(lib)
}

/// Whether NVRTC can be loaded (cudarc panics on first use if not).
pub fn nvrtc_present() -> bool {
    // SAFETY: only probes whether the library can be loaded.
    unsafe { cudarc::nvrtc::sys::is_culib_present() }
}

/// Whether cuBLAS can be loaded (cudarc panics on first use if not).
pub fn cublas_present() -> bool {
    // SAFETY: only probes whether the library can be loaded.
    unsafe { cudarc::cublas::sys::is_culib_present() }
}

/// What the matrix product's cuBLAS row says where cuBLAS cannot be loaded.
pub const CUBLAS_MISSING: &str = "cuBLAS (libcublas.so.12) is neither on \
     LD_LIBRARY_PATH nor in the book's tool folder: `cargo xtask gpu-report` \
     installs it there from the nvidia-cublas-cu12 wheel (12.9.1.4, for CUDA \
     12.9), or put a CUDA 12 toolkit's lib64 on LD_LIBRARY_PATH";

/// Whether the NVIDIA driver library can be loaded (cudarc panics on first use
/// if not).
pub fn driver_present() -> bool {
    // SAFETY: only probes whether the library can be loaded.
    unsafe { cudarc::driver::sys::is_culib_present() }
}

/// What `--list-devices` prints about CUDA, one line each: the compiler, then
/// the GPUs or what is missing.
pub fn devices() -> Result<Vec<String>, String> {
    let mut lines = vec![format!(
        "NVRTC (compiles CUDA C to PTX): {}",
        if nvrtc_present() {
            "found"
        } else {
            "not found"
        }
    )];
    lines.push(if cublas_present() {
        "cuBLAS (the reference SGEMM): found".to_string()
    } else {
        format!("cuBLAS (the reference SGEMM): not found. {CUBLAS_MISSING}")
    });
    if !driver_present() {
        lines.push(
            "no CUDA driver (libcuda.so) found, so no CUDA devices".to_string(),
        );
        return Ok(lines);
    }
    let count = CudaContext::device_count()
        .map_err(|error| format!("CUDA: {error}"))?;
    for ordinal in 0..count.max(0) as usize {
        let context = CudaContext::new(ordinal)
            .map_err(|error| format!("CUDA: {error}"))?;
        let name = context.name().map_err(|error| format!("CUDA: {error}"))?;
        let memory = context
            .total_mem()
            .map_err(|error| format!("CUDA: {error}"))?;
        lines.push(format!(
            "{ordinal}: {name} ({} GiB, driver {})",
            memory >> 30,
            driver_version().unwrap_or_else(|| "version unknown".to_string())
        ));
    }
    Ok(lines)
}

/// The CUDA version the driver supports, `12.9`.
fn driver_version() -> Option<String> {
    let mut version = 0;
    // SAFETY: the driver is loaded (checked by the caller) and writes one int.
    unsafe { cudarc::driver::sys::cuDriverGetVersion(&mut version) }
        .result()
        .ok()?;
    Some(format!("{}.{}", version / 1000, version % 1000 / 10))
}

// ANCHOR: compile
/// CUDA C to PTX with NVRTC; a kernel that does not compile comes back with
/// NVRTC's log.
pub fn compile(source: &str, arch: &'static str) -> Result<Ptx, String> {
    // cudarc loads libnvrtc when first used and panics if it cannot: look
    // first.
    if !nvrtc_present() {
        return Err(
            "NVRTC (libnvrtc.so.12) is neither on LD_LIBRARY_PATH nor in the \
             book's tool folder: `cargo xtask setup` installs it there from \
             the nvidia-cuda-nvrtc-cu12 wheel"
                .to_string(),
        );
    }
    let options = CompileOptions {
        arch: Some(arch),
        ..Default::default()
    };
    cudarc::nvrtc::compile_ptx_with_opts(source, options).map_err(|error| {
        match error {
            CompileError::CompileError { log, .. } => {
                format!(
                    "NVRTC could not compile the kernel:\n{}",
                    log.to_string_lossy().trim_end()
                )
            }
            other => format!("NVRTC failed: {other:?}"),
        }
    })
}
// ANCHOR_END: compile

/// The kernels a PTX module exports: its `.entry` lines.
pub fn entry_points(ptx: &str) -> Vec<&str> {
    ptx.lines()
        .filter_map(|line| line.trim_start().strip_prefix(".visible .entry "))
        .map(|rest| rest.split('(').next().unwrap_or(rest).trim())
        .collect()
}

/// What a run without the driver says: the PTX is fine, there is nothing to run
/// it on.
pub const NO_DRIVER: &str = "no NVIDIA driver (libcuda.so) on this machine, so no CUDA GPU to run \
     the PTX on; the kernels still compile (ch24-cuda-kernels --ptx-only)";

fn gpu(error: DriverError) -> String {
    format!("CUDA: {error}")
}

/// GPU 0, opened, with the architecture its kernels are compiled for.
pub struct Cuda {
    context: Arc<CudaContext>,
    stream: Arc<CudaStream>,
    arch: &'static str,
}

impl Cuda {
    /// Opens GPU 0, or says which part (driver, GPU) is missing.
    pub fn open(arch: &'static str) -> Result<Self, String> {
        if !driver_present() {
            return Err(NO_DRIVER.to_string());
        }
        let context = CudaContext::new(0).map_err(|error| {
            format!(
                "the NVIDIA driver is present but found no usable GPU: {error}"
            )
        })?;
        let stream = context.default_stream();
        Ok(Self {
            context,
            stream,
            arch,
        })
    }

    fn function(
        &self,
        source: &str,
        name: &str,
    ) -> Result<CudaFunction, String> {
        self.context
            .load_module(compile(source, self.arch)?)
            .map_err(gpu)?
            .load_function(name)
            .map_err(gpu)
    }

    /// The GPU's own time for `work` (launches queued on the stream): a CUDA
    /// event recorded before it and one after, read once both have passed.
    /// Launch latency and the host's waiting are not in it. `runs` rounds,
    /// summarised.
    fn device_time<E: From<DriverError>>(
        &self,
        runs: usize,
        mut work: impl FnMut() -> Result<(), E>,
    ) -> Result<Summary, E> {
        let timing = Some(CUevent_flags::CU_EVENT_DEFAULT);
        let start = self.context.new_event(timing)?;
        let end = self.context.new_event(timing)?;
        self_timed(runs, || {
            start.record(&self.stream)?;
            work()?;
            end.record(&self.stream)?;
            // Waits for `end`, then reads the two timestamps' distance.
            let ms = start.elapsed_ms(&end)?;
            Ok(Duration::from_secs_f64(f64::from(ms) / 1e3))
        })
    }

    /// The device time of `args` launched `runs` times.
    fn time(
        &self,
        runs: usize,
        args: &mut LaunchArgs,
        config: LaunchConfig,
    ) -> Result<Summary, String> {
        self.device_time(runs, || {
            // SAFETY: each caller has launched the same arguments once already
            // and checked the result.
            unsafe { args.launch(config) }.map(|_| ())
        })
        .map_err(gpu)
    }

    /// The GPU's last-level (L2) cache, in bytes.
    fn l2_bytes(&self) -> Option<usize> {
        self.context
            .attribute(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE)
            .ok()
            .and_then(|bytes| usize::try_from(bytes).ok())
    }

    fn saxpy(&self, n: usize) -> Result<Measured, String> {
        let (x, y) = gpu_reference::saxpy_inputs(n);
        let x_device = self.stream.clone_htod(&x).map_err(gpu)?;
        let mut y_device = self.stream.clone_htod(&y).map_err(gpu)?;
        let saxpy = self.function(kernels::SAXPY_CU, "saxpy")?;
        let count = n as u32;
        let config = blocks(gpu_reference::groups_for(n));
        let launch =
            |y_device: &mut CudaSlice<f32>| -> Result<(), DriverError> {
                let mut launch = self.stream.launch_builder(&saxpy);
                launch
                    .arg(&SAXPY_A)
                    .arg(&x_device)
                    .arg(y_device)
                    .arg(&count);
                // SAFETY: the arguments match the kernel's signature; the guard
                // `i < n` keeps the rounded-up grid inside the
                // buffers.
                unsafe { launch.launch(config) }.map(|_| ())
            };
        launch(&mut y_device).map_err(gpu)?;
        let y_gpu = self.stream.clone_dtoh(&y_device).map_err(gpu)?;
        let error = gpu_reference::check_saxpy(
            &y_gpu,
            &gpu_reference::saxpy(SAXPY_A, &x, &y),
        )?;
        // Timed after the check, on the same buffers: y keeps changing, which
        // does not matter.
        let time =
            self.device_time(5, || launch(&mut y_device)).map_err(gpu)?;
        Ok(Measured {
            problem: Problem::Saxpy,
            size: n,
            work: Problem::Saxpy.work(n),
            agreement: format!(
                "matches the CPU (largest relative error {error:.1e})"
            ),
            timed: "kernel",
            time,
        })
    }

    fn sum(&self, n: usize) -> Result<Measured, String> {
        let values = gpu_reference::reduce_input(n);
        let groups = gpu_reference::groups_for(n);
        let values_device = self.stream.clone_htod(&values).map_err(gpu)?;
        let mut partial_device =
            self.stream.alloc_zeros::<u32>(groups).map_err(gpu)?;
        let reduce = self.function(kernels::REDUCE_CU, "reduce_sum")?;
        let count = n as u32;
        let mut launch = self.stream.launch_builder(&reduce);
        launch
            .arg(&values_device)
            .arg(&mut partial_device)
            .arg(&count);
        let config = blocks(groups);
        // SAFETY: as for saxpy; `partial` has one slot per block.
        unsafe { launch.launch(config) }.map_err(gpu)?;
        let time = self.time(5, &mut launch, config)?;
        drop(launch);
        // Every launch writes the same partial sums, so the last one is
        // checked.
        let partial = self.stream.clone_dtoh(&partial_device).map_err(gpu)?;
        let total = gpu_reference::sum(&partial);
        gpu_reference::check_sum(total, gpu_reference::sum(&values))?;
        Ok(Measured {
            problem: Problem::Sum,
            size: n,
            work: Problem::Sum.work(n),
            agreement: format!("{total}, equal to the CPU's"),
            timed: "kernel",
            time,
        })
    }

    /// The scan: scan each block, offsets from the block totals on the host,
    /// add them.
    fn scan(&self, n: usize) -> Result<Measured, String> {
        let values = gpu_reference::reduce_input(n);
        let groups = gpu_reference::groups_for(n);
        let module = self
            .context
            .load_module(compile(kernels::SCAN_CU, self.arch)?)
            .map_err(gpu)?;
        let scan_groups = module.load_function("scan_groups").map_err(gpu)?;
        let add_offsets = module.load_function("add_offsets").map_err(gpu)?;
        let values_device = self.stream.clone_htod(&values).map_err(gpu)?;
        let mut out_device = self.stream.alloc_zeros::<u32>(n).map_err(gpu)?;
        let mut totals_device =
            self.stream.alloc_zeros::<u32>(groups).map_err(gpu)?;
        let mut offsets_device =
            self.stream.alloc_zeros::<u32>(groups).map_err(gpu)?;
        let count = n as u32;
        let config = blocks(groups);
        let mut scan_on_device = || -> Result<(), DriverError> {
            let mut launch = self.stream.launch_builder(&scan_groups);
            launch
                .arg(&values_device)
                .arg(&mut out_device)
                .arg(&mut totals_device)
                .arg(&count);
            // SAFETY: as for saxpy; `totals` has one slot per block.
            unsafe { launch.launch(config) }?;
            let totals = self.stream.clone_dtoh(&totals_device)?;
            self.stream.memcpy_htod(
                &gpu_reference::group_offsets(&totals),
                &mut offsets_device,
            )?;
            let mut launch = self.stream.launch_builder(&add_offsets);
            launch.arg(&mut out_device).arg(&offsets_device).arg(&count);
            // SAFETY: as above; `offsets` has one slot per block.
            unsafe { launch.launch(config) }.map(|_| ())
        };
        scan_on_device().map_err(gpu)?;
        // The events bracket both kernels and, between them, the totals'
        // round trip through the host: the label says so.
        let time = self.device_time(5, &mut scan_on_device).map_err(gpu)?;
        // Every run computes the same scan from the same input, so the last one
        // is checked.
        let scanned = self.stream.clone_dtoh(&out_device).map_err(gpu)?;
        gpu_reference::check_scan(
            &scanned,
            &gpu_reference::inclusive_scan(&values),
        )?;
        Ok(Measured {
            problem: Problem::Scan,
            size: n,
            work: Problem::Scan.work(n),
            agreement: "every prefix equal to the CPU's".to_string(),
            timed: "kernels and host offsets",
            time,
        })
    }

    /// The tiled matrix multiply: a 2-D grid of 16 x 16 blocks.
    fn matmul(&self, side: usize) -> Result<Measured, String> {
        let tiles = side.div_ceil(TILE) as u32;
        self.run_matmul(
            kernels::MATMUL_CU,
            "matmul_tiled",
            tiles,
            side,
            "kernel",
        )
    }

    /// Runs the matrix multiply `name` from `source` on a `blocks` x `blocks`
    /// grid of TILE x TILE threads, checks C against the CPU and times the
    /// kernel alone.
    fn run_matmul(
        &self,
        source: &str,
        name: &str,
        blocks: u32,
        side: usize,
        timed: &'static str,
    ) -> Result<Measured, String> {
        let (a, b) = gpu_reference::matmul_inputs(side);
        let a_device = self.stream.clone_htod(&a).map_err(gpu)?;
        let b_device = self.stream.clone_htod(&b).map_err(gpu)?;
        let mut c_device =
            self.stream.alloc_zeros::<f32>(side * side).map_err(gpu)?;
        let matmul = self.function(source, name)?;
        let config = LaunchConfig {
            grid_dim: (blocks, blocks, 1),
            block_dim: (TILE as u32, TILE as u32, 1),
            shared_mem_bytes: 0,
        };
        let side_arg = side as u32;
        let mut launch = self.stream.launch_builder(&matmul);
        launch
            .arg(&a_device)
            .arg(&b_device)
            .arg(&mut c_device)
            .arg(&side_arg);
        // SAFETY: as above; rows and columns are checked against n inside the
        // kernel.
        unsafe { launch.launch(config) }.map_err(gpu)?;
        let time = self.time(3, &mut launch, config)?;
        drop(launch);
        // Every launch writes the same product, so the last one is checked.
        let c = self.stream.clone_dtoh(&c_device).map_err(gpu)?;
        Measured::checked_matmul(&c, &a, &b, side, timed, time)
    }

    /// The one-pass sum: a grid-stride loop per thread, warp shuffles, one
    /// atomic add per block. Enough blocks to fill every SM, no more.
    fn sum_warp(&self, n: usize) -> Result<Measured, String> {
        let values = gpu_reference::reduce_input(n);
        let values_device = self.stream.clone_htod(&values).map_err(gpu)?;
        let mut total_device =
            self.stream.alloc_zeros::<u32>(1).map_err(gpu)?;
        let reduce = self.function(kernels::REDUCE_WARP_CU, "reduce_warp")?;
        let units = self
            .context
            .attribute(
                CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT,
            )
            .map_err(gpu)?;
        let groups = gpu_reference::groups_for(n).min(
            usize::try_from(units).unwrap_or(1).max(1)
                * gpu_reference::SINGLE_PASS_GROUPS_PER_UNIT,
        );
        let count = n as u32;
        let config = blocks(groups);
        let mut launch = self.stream.launch_builder(&reduce);
        launch
            .arg(&values_device)
            .arg(&mut total_device)
            .arg(&count);
        // SAFETY: the arguments match the kernel's signature; the loop stops
        // at n and `total` is one word.
        unsafe { launch.launch(config) }.map_err(gpu)?;
        let runs = 5;
        let time = self.time(runs, &mut launch, config)?;
        drop(launch);
        // Each launch added the sum once more into the same total: after the
        // first and the timed ones it holds that many sums, wrapping.
        let total = self.stream.clone_dtoh(&total_device).map_err(gpu)?;
        let sum = gpu_reference::sum(&values);
        gpu_reference::check_sum(total[0], sum.wrapping_mul(1 + runs as u32))?;
        Ok(Measured {
            problem: Problem::Sum,
            size: n,
            work: Problem::Sum.work(n),
            agreement: format!("{sum}, equal to the CPU's"),
            timed: "one-pass kernel",
            time,
        })
    }

    /// The register-blocked matrix multiply: 64 x 64 of C per block of
    /// 16 x 16 threads, 4 x 4 outputs per thread.
    fn matmul_blocked(&self, side: usize) -> Result<Measured, String> {
        let blocks = side.div_ceil(gpu_reference::BLOCK) as u32;
        self.run_matmul(
            kernels::MATMUL_BLOCKED_CU,
            "matmul_blocked",
            blocks,
            side,
            "register-blocked kernel",
        )
    }

    /// The reference for the two hand-written products: cuBLAS's SGEMM on the
    /// same inputs, checked against the CPU and timed by the same events.
    /// An error that says what to install where cuBLAS cannot be loaded.
    pub fn matmul_cublas(&self, side: usize) -> Result<Measured, String> {
        if !cublas_present() {
            return Err(CUBLAS_MISSING.to_string());
        }
        self.sgemm(side)
            .map_err(|error| format!("CUDA matmul (cuBLAS): {error}"))
    }

    fn sgemm(&self, side: usize) -> Result<Measured, String> {
        self.fits(Problem::Matmul, side)?;
        let call = row_major_gemm(side, side, side)?;
        let (a, b) = gpu_reference::matmul_inputs(side);
        let a_device = self.stream.clone_htod(&a).map_err(gpu)?;
        let b_device = self.stream.clone_htod(&b).map_err(gpu)?;
        let mut c_device =
            self.stream.alloc_zeros::<f32>(side * side).map_err(gpu)?;
        // The handle queues its kernels on this stream, between the events.
        let blas = CudaBlas::new(self.stream.clone()).map_err(blas)?;
        let config = GemmConfig {
            transa: cublasOperation_t::CUBLAS_OP_N,
            transb: cublasOperation_t::CUBLAS_OP_N,
            m: call.m,
            n: call.n,
            k: call.k,
            alpha: 1.0f32,
            lda: call.lda,
            ldb: call.ldb,
            beta: 0.0,
            ldc: call.ldc,
        };
        let first = call.first.of(&a_device, &b_device);
        let second = call.second.of(&a_device, &b_device);
        let mut sgemm = || -> Result<(), Failed> {
            // SAFETY: the dimensions and leading dimensions are those of the
            // side x side buffers above (`row_major_gemm`).
            unsafe { blas.gemm(config, first, second, &mut c_device) }
                .map_err(Failed::from)
        };
        // The first call also picks cuBLAS's kernel and sets up its
        // workspace: not timed.
        sgemm().map_err(String::from)?;
        let time = self.device_time(3, &mut sgemm).map_err(String::from)?;
        // Every call writes the same product, so the last one is checked.
        let c = self.stream.clone_dtoh(&c_device).map_err(gpu)?;
        Measured::checked_matmul(&c, &a, &b, side, "cuBLAS SGEMM", time)
    }

    /// Mandelbrot: one thread per pixel in 16 x 16 blocks; the picture and
    /// three runs' times.
    fn draw_mandelbrot(
        &self,
        view: &View,
    ) -> Result<(Vec<u32>, Summary), String> {
        let mut picture_device =
            self.stream.alloc_zeros::<u32>(view.pixels()).map_err(gpu)?;
        let mandelbrot = self.function(kernels::MANDELBROT_CU, "mandelbrot")?;
        let pixels = LaunchConfig {
            grid_dim: (view.width.div_ceil(16), view.height.div_ceil(16), 1),
            block_dim: (16, 16, 1),
            shared_mem_bytes: 0,
        };
        let mut launch = self.stream.launch_builder(&mandelbrot);
        launch
            .arg(&mut picture_device)
            .arg(&view.width)
            .arg(&view.height)
            .arg(&view.max_iter)
            .arg(&view.x_min)
            .arg(&view.y_min)
            .arg(&view.step);
        // SAFETY: the arguments match the kernel's signature; it checks each
        // pixel against width and height.
        unsafe { launch.launch(pixels) }.map_err(gpu)?;
        let time = self.time(3, &mut launch, pixels)?;
        drop(launch);
        // Every run draws the same picture, so the last one is checked by the
        // caller.
        let picture = self.stream.clone_dtoh(&picture_device).map_err(gpu)?;
        Ok((picture, time))
    }

    /// A size that needs more than the GPU's free memory is refused before any
    /// allocation.
    fn check_fits(&self, n: usize, buffers: usize) -> Result<(), String> {
        let (free, _) = self.context.mem_get_info().map_err(gpu)?;
        fits_in_free(n, buffers, free)
    }
}

/// Whether `buffers` arrays of `n` four-byte values fit in the `free` bytes of
/// GPU memory; if not, what they need.
fn fits_in_free(n: usize, buffers: usize, free: usize) -> Result<(), String> {
    let bytes = n.saturating_mul(buffers * size_of::<u32>());
    if bytes > free {
        return Err(format!(
            "--size {n} needs {bytes} bytes on the GPU; it has {free} bytes free"
        ));
    }
    Ok(())
}

fn blas(error: CublasError) -> String {
    format!("cuBLAS: {error}")
}

/// What goes wrong around a cuBLAS call: cuBLAS itself or the driver's events.
struct Failed(String);

impl From<DriverError> for Failed {
    fn from(error: DriverError) -> Self {
        Failed(gpu(error))
    }
}

impl From<CublasError> for Failed {
    fn from(error: CublasError) -> Self {
        Failed(blas(error))
    }
}

impl From<Failed> for String {
    fn from(Failed(why): Failed) -> Self {
        why
    }
}

/// One of the row-major product's two inputs, `A` or `B` in C = A·B.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operand {
    A,
    B,
}

impl Operand {
    /// `a` or `b`, whichever this operand names.
    pub fn of<'a, T: ?Sized>(self, a: &'a T, b: &'a T) -> &'a T {
        match self {
            Operand::A => a,
            Operand::B => b,
        }
    }
}

/// The arguments of one untransposed cuBLAS GEMM, `C = first · second` with
/// every matrix read column by column: `first` is `m x k` with leading
/// dimension `lda`, `second` is `k x n` with `ldb`, C is `m x n` with `ldc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnMajorGemm {
    pub m: i32,
    pub n: i32,
    pub k: i32,
    pub first: Operand,
    pub lda: i32,
    pub second: Operand,
    pub ldb: i32,
    pub ldc: i32,
}

/// cuBLAS reads a matrix column by column (Fortran's order); the book stores
/// them row by row, and a row-major buffer read column by column is the
/// transpose. So C = A·B, with A `rows x inner` and B `inner x cols` row-major,
/// is Cᵀ = Bᵀ·Aᵀ column-major: cuBLAS multiplies B by A, sides swapped, and
/// the Cᵀ it writes is C read row by row. No transposes, no copies.
pub fn row_major_gemm(
    rows: usize,
    inner: usize,
    cols: usize,
) -> Result<ColumnMajorGemm, String> {
    let dimension = |size: usize| {
        i32::try_from(size)
            .ok()
            .filter(|&size| size > 0)
            .ok_or_else(|| {
                format!("cuBLAS takes sides from 1 to 2^31-1, not {size}")
            })
    };
    let (rows, inner, cols) =
        (dimension(rows)?, dimension(inner)?, dimension(cols)?);
    Ok(ColumnMajorGemm {
        // Cᵀ is cols x rows; each of its columns is a row of C, cols long.
        m: cols,
        n: rows,
        k: inner,
        // Bᵀ is cols x inner: B's rows, cols long, are its columns.
        first: Operand::B,
        lda: cols,
        // Aᵀ is inner x rows: A's rows, inner long, are its columns.
        second: Operand::A,
        ldb: inner,
        ldc: cols,
    })
}

/// How the hand-written products compare with the reference: each one's rate
/// as a share of cuBLAS's (the same work, so the ratio of the median times).
pub fn shares_of_reference(hand: &[Measured], reference: &Measured) -> String {
    let reference_time = reference.time.median().as_secs_f64();
    let shares: Vec<String> = hand
        .iter()
        .map(|measured| {
            let share = 100.0 * reference_time
                / measured.time.median().as_secs_f64().max(f64::MIN_POSITIVE);
            let share = if share < 10.0 {
                format!("{share:.1}%")
            } else {
                format!("{share:.0}%")
            };
            format!("{} {share}", measured.timed)
        })
        .collect();
    format!(
        "{} {}: share of cuBLAS's rate: {}",
        reference.problem,
        reference.problem.size_label(reference.size),
        shares.join(", ")
    )
}

/// What a problem of `size` allocates on the GPU: `buffers` arrays of `n`
/// four-byte values each (x and y for SAXPY, input and output for the scan, A,
/// B and C for the matrix product), beside which the per-group totals of the
/// sum and the scan are small.
fn footprint(problem: Problem, size: usize) -> (usize, usize) {
    let buffers = match problem {
        Problem::Saxpy | Problem::Scan => 2,
        Problem::Sum => 1,
        Problem::Matmul => 3,
    };
    (problem.largest_array(size), buffers)
}

/// One block of `GROUP_SIZE` threads per group of items.
fn blocks(groups: usize) -> LaunchConfig {
    LaunchConfig {
        grid_dim: (groups as u32, 1, 1),
        block_dim: (GROUP_SIZE as u32, 1, 1),
        shared_mem_bytes: 0,
    }
}

impl Backend for Cuda {
    fn describe(&self) -> String {
        format!(
            "{} (CUDA, driver {}, kernels compiled by NVRTC for {})",
            self.context.name().unwrap_or_default(),
            driver_version().unwrap_or_else(|| "version unknown".to_string()),
            self.arch
        )
    }

    fn emulated(&self) -> bool {
        false
    }

    fn cache_bytes(&self) -> Option<usize> {
        self.l2_bytes()
    }

    fn copy_bandwidth(&self, n: usize) -> Result<f64, String> {
        self.check_fits(n, 2)?;
        let from = self.stream.alloc_zeros::<u32>(n).map_err(gpu)?;
        let mut to = self.stream.alloc_zeros::<u32>(n).map_err(gpu)?;
        let time = self
            .device_time(COPY_RUNS, || self.stream.memcpy_dtod(&from, &mut to))
            .map_err(gpu)?;
        Ok(gpu_reference::copy_rate(n, time.median()))
    }

    fn fits(&self, problem: Problem, size: usize) -> Result<(), String> {
        let (n, buffers) = footprint(problem, size);
        self.check_fits(n, buffers)
    }

    fn run_tuned(
        &self,
        problem: Problem,
        size: usize,
    ) -> Option<Result<Measured, String>> {
        let ran = match problem {
            Problem::Sum => self.sum_warp(size),
            Problem::Matmul => self.matmul_blocked(size),
            Problem::Saxpy | Problem::Scan => return None,
        };
        Some(ran.map_err(|error| format!("CUDA {problem}: {error}")))
    }

    fn run(&self, problem: Problem, size: usize) -> Result<Measured, String> {
        self.fits(problem, size)?;
        let ran = match problem {
            Problem::Saxpy => self.saxpy(size),
            Problem::Sum => self.sum(size),
            Problem::Scan => self.scan(size),
            Problem::Matmul => self.matmul(size),
        };
        ran.map_err(|error| format!("CUDA {problem}: {error}"))
    }

    fn mandelbrot(&self, view: &View) -> Result<(Vec<u32>, Summary), String> {
        self.check_fits(view.pixels(), 1)?;
        self.draw_mandelbrot(view)
            .map_err(|error| format!("CUDA mandelbrot: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use book_helpers::measure::Summary;
    use gpu_reference::{Measured, Problem};

    use super::{
        ColumnMajorGemm, NVRTC, Operand, fits_in_free, footprint, installed_in,
        row_major_gemm, shares_of_reference,
    };

    /// What cuBLAS computes for `call`, on the CPU: `C = first · second`,
    /// every buffer read column by column through its leading dimension, with
    /// the checks cuBLAS makes on those dimensions.
    fn column_major_gemm(
        call: &ColumnMajorGemm,
        a: &[f32],
        b: &[f32],
    ) -> Vec<f32> {
        let size = |value: i32| usize::try_from(value).expect("positive");
        let (m, n, k) = (size(call.m), size(call.n), size(call.k));
        let (lda, ldb, ldc) = (size(call.lda), size(call.ldb), size(call.ldc));
        assert!(lda >= m && ldb >= k && ldc >= m, "{call:?}");
        let first = call.first.of(a, b);
        let second = call.second.of(a, b);
        assert!(first.len() >= lda * (k - 1) + m, "first: {call:?}");
        assert!(second.len() >= ldb * (n - 1) + k, "second: {call:?}");
        let mut c = vec![0.0; ldc * (n - 1) + m];
        for column in 0..n {
            for row in 0..m {
                c[row + column * ldc] = (0..k)
                    .map(|p| first[row + p * lda] * second[p + column * ldb])
                    .sum();
            }
        }
        c
    }

    /// C = A·B row by row, the plain way.
    fn row_major_product(
        a: &[f32],
        b: &[f32],
        rows: usize,
        inner: usize,
        cols: usize,
    ) -> Vec<f32> {
        let mut c = vec![0.0; rows * cols];
        for row in 0..rows {
            for col in 0..cols {
                c[row * cols + col] = (0..inner)
                    .map(|p| a[row * inner + p] * b[p * cols + col])
                    .sum();
            }
        }
        c
    }

    /// Small integers: every product and sum is exact in f32.
    fn matrix(len: usize, seed: usize) -> Vec<f32> {
        (0..len)
            .map(|i| ((i * 7 + seed) % 11) as f32 - 5.0)
            .collect()
    }

    #[test]
    fn cublas_computes_the_row_major_product() {
        // Three different sides, so a swapped dimension or leading dimension
        // shows; square ones as the listing runs them.
        for (rows, inner, cols) in [(2, 3, 4), (5, 2, 3), (1, 4, 1), (6, 6, 6)]
        {
            let a = matrix(rows * inner, 1);
            let b = matrix(inner * cols, 2);
            let call = row_major_gemm(rows, inner, cols).expect("valid sides");
            assert_eq!(
                column_major_gemm(&call, &a, &b),
                row_major_product(&a, &b, rows, inner, cols),
                "{rows} x {inner} times {inner} x {cols}: {call:?}"
            );
        }
        let side = 8;
        let (a, b) = gpu_reference::matmul_inputs(side);
        let call = row_major_gemm(side, side, side).expect("valid sides");
        gpu_reference::check_matmul(
            &column_major_gemm(&call, &a, &b),
            &gpu_reference::matmul(&a, &b, side),
            side,
        )
        .expect("the listing's own inputs");
    }

    #[test]
    fn the_call_for_a_row_major_product() {
        assert_eq!(
            row_major_gemm(2, 3, 4),
            Ok(ColumnMajorGemm {
                m: 4,
                n: 2,
                k: 3,
                first: Operand::B,
                lda: 4,
                second: Operand::A,
                ldb: 3,
                ldc: 4,
            })
        );
        assert!(row_major_gemm(0, 3, 4).is_err());
        assert!(row_major_gemm(2, 1 << 31, 4).is_err());
    }

    fn measured(timed: &'static str, ms: u64) -> Measured {
        Measured {
            problem: Problem::Matmul,
            size: 2048,
            work: Problem::Matmul.work(2048),
            agreement: "matches the CPU".to_string(),
            timed,
            time: Summary::of(vec![Duration::from_millis(ms)]),
        }
    }

    #[test]
    fn a_kernel_that_takes_twice_as_long_has_half_the_rate() {
        let reference = measured("cuBLAS SGEMM", 2);
        assert_eq!(
            shares_of_reference(
                &[
                    measured("kernel", 40),
                    measured("register-blocked kernel", 4)
                ],
                &reference
            ),
            "matmul 2048 x 2048: share of cuBLAS's rate: kernel 5.0%, \
             register-blocked kernel 50%"
        );
    }

    /// A share is printed with one decimal below 10% and none from 10% on:
    /// 2 ms against 20 ms is exactly 10%.
    #[test]
    fn a_share_of_ten_percent_has_no_decimal() {
        assert_eq!(
            shares_of_reference(
                &[measured("kernel", 20), measured("slower kernel", 21)],
                &measured("cuBLAS SGEMM", 2)
            ),
            "matmul 2048 x 2048: share of cuBLAS's rate: kernel 10%, \
             slower kernel 9.5%"
        );
    }

    /// Two arrays of 1,000 four-byte values are 8,000 bytes: they fit in
    /// 8,000 free bytes and not in 7,999; three of them do not fit in 8,000.
    #[test]
    fn a_run_is_refused_when_its_arrays_pass_the_free_memory() {
        assert_eq!(fits_in_free(1000, 2, 8000), Ok(()));
        assert_eq!(
            fits_in_free(1000, 2, 7999),
            Err(
                "--size 1000 needs 8000 bytes on the GPU; it has 7999 bytes \
                 free"
                    .to_string()
            )
        );
        assert!(fits_in_free(1001, 2, 8000).is_err());
        assert!(fits_in_free(1000, 3, 8000).is_err());
        assert!(fits_in_free(1000, 1, 4000).is_ok());
        // A size whose bytes overflow is refused, not wrapped round to a
        // small number.
        assert!(fits_in_free(usize::MAX / 2, 2, usize::MAX - 1).is_err());
    }

    #[test]
    fn each_problem_allocates_its_arrays() {
        assert_eq!(footprint(Problem::Saxpy, 1000), (1000, 2));
        assert_eq!(footprint(Problem::Sum, 1000), (1000, 1));
        assert_eq!(footprint(Problem::Scan, 1000), (1000, 2));
        // Three matrices of 30 x 30.
        assert_eq!(footprint(Problem::Matmul, 30), (900, 3));
        assert_eq!(footprint(Problem::Matmul, usize::MAX), (usize::MAX, 3));
    }

    /// The lookup in the tool folder: nothing in an empty one, the library's
    /// folder where its file is.
    #[test]
    fn the_tool_folder_lookup_finds_only_an_installed_library() {
        let tools = std::env::temp_dir()
            .join(format!("ch24-cuda-tools-{}", std::process::id()));
        std::fs::create_dir_all(&tools).expect("a scratch folder");
        assert!(installed_in(&tools, &NVRTC).is_none());
        let lib = tools.join(NVRTC.dir);
        std::fs::create_dir_all(&lib).expect("the library's folder");
        std::fs::write(lib.join(NVRTC.file), b"").expect("a stand-in");
        let found = installed_in(&tools, &NVRTC);
        std::fs::remove_dir_all(&tools).ok();
        assert_eq!(found, Some(lib));
    }
}
