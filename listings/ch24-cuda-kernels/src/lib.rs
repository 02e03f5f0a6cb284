//! The chapter's four kernels (SAXPY, sum, scan, tiled matrix multiply) in CUDA
//! C. NVRTC, NVIDIA's run-time compiler, turns the `.cu` files into PTX (the
//! GPU's portable assembly) on any machine; running the PTX needs the NVIDIA
//! driver and a GPU, and without them the program says which is missing.
//!
//! A library, so that this listing's program and the chapter's one program for
//! every device (`ch24-every-device`) run the same code.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use book_helpers::measure::{Summary, self_timed};
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

/// Set when this program restarted itself with NVRTC on `LD_LIBRARY_PATH`, so
/// it does so once.
const RESTARTED: &str = "CH24_CUDA_NVRTC_PATH_SET";

/// The dynamic loader reads `LD_LIBRARY_PATH` once, when the program starts. If
/// NVRTC is not on it but `cargo xtask setup` installed it, run this program
/// again with that folder added, so `cargo run` works without exporting
/// anything. Returns the restarted run's exit code, or `None` when this process
/// should go on itself.
pub fn rerun_with_setup_nvrtc() -> Option<ExitCode> {
    if nvrtc_present() || std::env::var_os(RESTARTED).is_some() {
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

/// Where `cargo xtask setup` puts NVRTC: the book's tool folder.
fn nvrtc_from_setup() -> Option<std::path::PathBuf> {
    let lib =
        book_helpers::tools::folder()?.join(book_helpers::tools::NVRTC_LIB_DIR);
    lib.join("libnvrtc.so.12").is_file().then_some(lib)
}

/// Whether NVRTC can be loaded (cudarc panics on first use if not).
pub fn nvrtc_present() -> bool {
    // SAFETY: only probes whether the library can be loaded.
    unsafe { cudarc::nvrtc::sys::is_culib_present() }
}

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
    fn device_time(
        &self,
        runs: usize,
        mut work: impl FnMut() -> Result<(), DriverError>,
    ) -> Result<Summary, DriverError> {
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
        let error = gpu_reference::check_matmul(
            &c,
            &gpu_reference::matmul(&a, &b, side),
            side,
        )?;
        Ok(Measured {
            problem: Problem::Matmul,
            size: side,
            work: Problem::Matmul.work(side),
            agreement: format!(
                "matches the CPU (largest relative error {error:.1e})"
            ),
            timed,
            time,
        })
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
        let bytes = n.saturating_mul(buffers * size_of::<u32>());
        if bytes > free {
            return Err(format!(
                "--size {n} needs {bytes} bytes on the GPU; it has {free} bytes free"
            ));
        }
        Ok(())
    }
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
        Ok((2 * n * size_of::<u32>()) as f64
            / time.median().as_secs_f64().max(f64::MIN_POSITIVE))
    }

    fn fits(&self, problem: Problem, size: usize) -> Result<(), String> {
        match problem {
            Problem::Saxpy => self.check_fits(size, 2),
            Problem::Sum => self.check_fits(size, 1),
            Problem::Scan => self.check_fits(size, 2),
            Problem::Matmul => self.check_fits(size.saturating_mul(size), 3),
        }
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
