//! One program for every backend. `--device` picks where the chapter's problems
//! run (the CPU reference, OpenCL, WGSL, GLSL or CUDA), `--problem` which of
//! them, `--size` how big. Each backend is the library of its own listing
//! (`ch24-opencl-kernels`, `ch24-wgpu-kernels`, `ch24-cuda-kernels`) behind one
//! trait, `gpu_reference::Backend`; this program only opens them, runs them and
//! lays their measurements side by side.

use std::process::ExitCode;
use std::time::Duration;

use book_helpers::measure::Machine;
use ch24_cuda_kernels::{ARCHITECTURES, Cuda};
use ch24_opencl_kernels::OpenCl;
use ch24_wgpu_kernels::{Gpu, Language, Wgpu};
use clap::{Parser, ValueEnum};
use gpu_reference::{Backend, Cpu, Measured, Problem, Work};

#[derive(Debug, Clone, Parser)]
#[command(
    about = "Runs the GPU chapter's problems on any backend (CPU, OpenCL, WGSL, GLSL, CUDA), checks each against the CPU and compares GB/s with the device's copy bandwidth"
)]
struct Args {
    /// Where to run: one backend, or `all` (every backend this machine has).
    #[arg(long, value_enum, default_value_t = DeviceChoice::All)]
    device: DeviceChoice,
    /// What to run: one problem, or `all`.
    #[arg(long, value_enum, default_value_t = ProblemChoice::All)]
    problem: ProblemChoice,
    /// Elements of saxpy, sum and scan.
    #[arg(long, default_value_t = 1 << 22, value_parser = clap::value_parser!(u32).range(1..))]
    size: u32,
    /// Side of the square matrices of matmul.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=4096))]
    matrix: u32,
    /// Only real GPUs: leave out the CPU reference and every device emulated on
    /// the CPU (PoCL, lavapipe), and take the first OpenCL device that is a GPU.
    /// `cargo xtask gpu-report` runs this listing so.
    #[arg(long)]
    gpu_only: bool,
    /// Print every backend's devices (platform, device, driver), then stop.
    #[arg(long)]
    list_devices: bool,
    /// The OpenCL device, as numbered under "OpenCL" by --list-devices.
    #[arg(long, default_value_t = 0)]
    opencl_device: usize,
    /// The wgpu adapter: part of its name as --list-devices prints it
    /// (`llvmpipe` is lavapipe, on the CPU). Without it: the first GPU,
    /// else the first adapter.
    #[arg(long)]
    adapter: Option<String>,
    /// The GPU architecture NVRTC compiles the CUDA kernels for.
    #[arg(long, default_value = "compute_90", value_parser = ARCHITECTURES)]
    arch: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DeviceChoice {
    Cpu,
    Opencl,
    Wgsl,
    Glsl,
    Cuda,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ProblemChoice {
    Saxpy,
    Sum,
    Scan,
    Matmul,
    Mandelbrot,
    All,
}

const DEVICES: [DeviceChoice; 5] = [
    DeviceChoice::Cpu,
    DeviceChoice::Opencl,
    DeviceChoice::Wgsl,
    DeviceChoice::Glsl,
    DeviceChoice::Cuda,
];

impl DeviceChoice {
    fn name(self) -> &'static str {
        match self {
            DeviceChoice::Cpu => "cpu",
            DeviceChoice::Opencl => "opencl",
            DeviceChoice::Wgsl => "wgsl",
            DeviceChoice::Glsl => "glsl",
            DeviceChoice::Cuda => "cuda",
            DeviceChoice::All => "all",
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    // NVRTC (and cuBLAS) must be on the loader's path before the program
    // starts (see that listing).
    if let Some(code) = ch24_cuda_kernels::rerun_with_tool_libraries() {
        return code;
    }
    book_helpers::cli::exit_code(run(&args))
}

fn run(args: &Args) -> Result<(), String> {
    if args.list_devices {
        list_devices();
        return Ok(());
    }
    let n = args.size as usize;
    let side = args.matrix as usize;
    check_host_memory(n.max(side * side))?;
    let problems: Vec<Problem> = match args.problem {
        ProblemChoice::Saxpy => vec![Problem::Saxpy],
        ProblemChoice::Sum => vec![Problem::Sum],
        ProblemChoice::Scan => vec![Problem::Scan],
        ProblemChoice::Matmul => vec![Problem::Matmul],
        ProblemChoice::Mandelbrot => Vec::new(),
        ProblemChoice::All => Problem::ALL.to_vec(),
    };
    // The picture the chapter draws, and the CPU's, which every device's is
    // compared with.
    let view =
        matches!(args.problem, ProblemChoice::Mandelbrot | ProblemChoice::All)
            .then(|| gpu_reference::View::whole_set(640, 400, 256));
    let reference = view.as_ref().map(gpu_reference::mandelbrot);
    let devices = match args.device {
        DeviceChoice::All => DEVICES.to_vec(),
        one => vec![one],
    };
    // Rows print as they are measured; the machine line, which needs the
    // load at the end, comes after them and before the table.
    let machine = Machine::now();
    let mut rows = Vec::new();
    for device in devices {
        let backend = match open(device, args) {
            Ok(backend) => backend,
            // Asked for by name: a missing backend is the answer, and an error.
            Err(missing) if args.device != DeviceChoice::All => {
                return Err(missing);
            }
            // Asked for everything: say what is missing and go on with the
            // rest.
            Err(missing) => {
                println!("{}: not run: {missing}", device.name());
                rows.push(Row::missing(device));
                continue;
            }
        };
        let emulated = if backend.emulated() {
            ", emulated on the CPU"
        } else {
            ""
        };
        println!("{}: {}{emulated}", device.name(), backend.describe());
        let copy = backend.copy_bandwidth(n)?;
        println!(
            "{} device copy: {}",
            device.name(),
            gpu_reference::format_bandwidth(copy as usize, 1.0)
        );
        if let Some(cache) = backend.cache_bytes() {
            println!("{} {}", device.name(), working_set(n, cache));
        }
        let mut measured = Vec::new();
        for &problem in &problems {
            let size = problem.size(n, side);
            // A size this device cannot take is said and skipped, so the
            // devices after it still run.
            if let Err(why) = backend.fits(problem, size) {
                println!("{} {problem}: not run: {why}", device.name());
                measured.push(None);
                continue;
            }
            let result = backend.run(problem, size)?;
            println!("{} {}", device.name(), result.line(copy));
            measured.push(Some(result));
            // The kernel that goes further, where the backend has one, on
            // the line below the simple one.
            if let Some(tuned) = backend.run_tuned(problem, size) {
                println!("{} {}", device.name(), tuned?.line(copy));
            }
        }
        let mut drawn = None;
        if let (Some(view), Some(reference)) = (&view, &reference) {
            let (picture, time) = backend.mandelbrot(view)?;
            let differ = gpu_reference::check_mandelbrot(
                &picture, reference, view.width,
            )
            .map_err(|error| {
                format!("{} mandelbrot: {error}", device.name())
            })?;
            println!(
                "{} mandelbrot {} x {}: {differ} of {} pixels differ from the CPU's; {} ({})",
                device.name(),
                view.width,
                view.height,
                view.pixels(),
                time.display(),
                format_pixel_rate(view.pixels(), time.median())
            );
            drawn = Some((view.pixels(), time.median()));
        }
        rows.push(Row {
            device,
            emulated: backend.emulated(),
            copy: Some(copy),
            measured,
            drawn,
        });
    }
    println!("{}", machine.header());
    if rows.len() > 1 {
        print_table(&problems, view.is_some(), &rows);
    }
    if args.gpu_only && rows.iter().all(|row| row.copy.is_none()) {
        return Err(
            "--gpu-only found no GPU: every backend above is missing or runs on the CPU"
                .to_string(),
        );
    }
    Ok(())
}

// ANCHOR: open
/// Every backend behind the same trait: the rest of the program does not know
/// which it has.
fn open(device: DeviceChoice, args: &Args) -> Result<Box<dyn Backend>, String> {
    if args.gpu_only {
        return open_gpu(device, args);
    }
    Ok(match device {
        DeviceChoice::Cpu => Box::new(Cpu),
        DeviceChoice::Opencl => Box::new(OpenCl::open(args.opencl_device)?),
        DeviceChoice::Wgsl => Box::new(Wgpu::new(
            Gpu::open(args.adapter.as_deref())?,
            Language::Wgsl,
        )),
        DeviceChoice::Glsl => Box::new(Wgpu::new(
            Gpu::open(args.adapter.as_deref())?,
            Language::Glsl,
        )),
        DeviceChoice::Cuda => Box::new(Cuda::open(cuda_arch(&args.arch))?),
        DeviceChoice::All => {
            unreachable!("`all` is expanded into the devices before opening")
        }
    })
}
// ANCHOR_END: open

/// `--gpu-only`: a backend on a real GPU, or why there is none.
fn open_gpu(
    device: DeviceChoice,
    args: &Args,
) -> Result<Box<dyn Backend>, String> {
    const LEFT_OUT: &str = "left out by --gpu-only";
    let backend: Box<dyn Backend> = match device {
        DeviceChoice::Cpu => {
            return Err(format!("the CPU reference is {LEFT_OUT}"));
        }
        DeviceChoice::Opencl => {
            let count = ch24_opencl_kernels::all_devices()?.len();
            let gpu = (0..count)
                .filter_map(|index| OpenCl::open(index).ok())
                .find(|device| !device.emulated())
                .ok_or_else(|| {
                    format!(
                        "none of the {count} OpenCL devices is a GPU (a CPU \
                         device such as PoCL's is {LEFT_OUT})"
                    )
                })?;
            Box::new(gpu)
        }
        other => {
            let no_gpu = Args {
                gpu_only: false,
                ..args.clone()
            };
            open(other, &no_gpu)?
        }
    };
    if backend.emulated() {
        let description = backend.describe();
        let name = description.split(" (").next().unwrap_or(&description);
        return Err(format!("{name} is emulated on the CPU and {LEFT_OUT}"));
    }
    Ok(backend)
}

/// SAXPY's two arrays against the device's last-level cache: STREAM's rule
/// wants them at least four times larger, or "% of copy" is partly a cache
/// figure.
fn working_set(n: usize, cache: usize) -> String {
    let bytes = 2 * n * size_of::<f32>();
    let times = bytes as f64 / cache as f64;
    let verdict = if times >= 4.0 {
        "a memory figure"
    } else {
        "under 4x: partly a cache figure, not a memory one"
    };
    format!(
        "working set: saxpy's arrays {:.1} MB, {times:.1}x the {:.1} MB last-level cache ({verdict})",
        bytes as f64 / 1e6,
        cache as f64 / 1e6
    )
}

/// Mandelbrot's rate: millions of pixels a second, three significant digits.
fn format_pixel_rate(pixels: usize, time: Duration) -> String {
    // The same digits as a bandwidth: a million pixels a second prints like 1
    // MB/s would.
    let rate =
        gpu_reference::format_bandwidth(pixels * 1000, time.as_secs_f64());
    format!("{} Mpixel/s", rate.trim_end_matches(" GB/s"))
}

/// clap has checked the name against the list; NVRTC wants a `'static` string.
fn cuda_arch(arch: &str) -> &'static str {
    ARCHITECTURES
        .into_iter()
        .find(|known| *known == arch)
        .unwrap_or("compute_90")
}

/// Every backend computes the CPU reference too, so the inputs, the reference
/// and the device's result all live in host memory at once: about five arrays
/// of four-byte values.
fn check_host_memory(elements: usize) -> Result<(), String> {
    let needed = elements.saturating_mul(5 * size_of::<u32>());
    let Some(available) = available_memory() else {
        return Ok(());
    };
    if needed > available {
        return Err(format!(
            "--size {elements} needs about {:.1} GB of host memory (inputs, CPU reference and \
             result); this machine has {:.1} GB available",
            needed as f64 / 1e9,
            available as f64 / 1e9
        ));
    }
    Ok(())
}

/// `MemAvailable` from `/proc/meminfo` (Linux), in bytes.
fn available_memory() -> Option<usize> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// `--list-devices`: every backend at once, what it has or what it lacks.
fn list_devices() {
    println!("cpu: the CPU reference, always present");
    println!("OpenCL (opencl):");
    match ch24_opencl_kernels::all_devices() {
        Ok(devices) => {
            for (index, (platform, device)) in devices.iter().enumerate() {
                println!(
                    "  {index}: {}",
                    ch24_opencl_kernels::describe(platform, device)
                );
            }
        }
        Err(missing) => println!("  none: {missing}"),
    }
    println!("wgpu on Vulkan (wgsl, glsl):");
    match ch24_wgpu_kernels::adapters() {
        Ok(adapters) => {
            for (index, adapter) in adapters.iter().enumerate() {
                println!(
                    "  {index}: {}",
                    ch24_wgpu_kernels::describe(&adapter.get_info())
                );
            }
        }
        Err(missing) => println!("  none: {missing}"),
    }
    println!("CUDA (cuda):");
    match ch24_cuda_kernels::devices() {
        Ok(lines) => lines.iter().for_each(|line| println!("  {line}")),
        Err(error) => println!("  none: {error}"),
    }
}

/// One backend's results, for the table.
struct Row {
    device: DeviceChoice,
    emulated: bool,
    copy: Option<f64>,
    /// One per problem; `None` where the size did not fit the device.
    measured: Vec<Option<Measured>>,
    /// Mandelbrot's pixels and the time they took, when it ran.
    drawn: Option<(usize, Duration)>,
}

impl Row {
    fn missing(device: DeviceChoice) -> Self {
        Row {
            device,
            emulated: false,
            copy: None,
            measured: Vec::new(),
            drawn: None,
        }
    }
}

/// A rate in a few characters: GB/s and its share of the device's copy, `20.8
/// (27%)`, or GFLOP/s for the matrix product; the table's legend gives the
/// units.
fn cell(measured: &Measured, copy: f64) -> String {
    let seconds = measured.time.median().as_secs_f64();
    match measured.work {
        Work::Bytes(bytes) => {
            let rate = gpu_reference::format_bandwidth(bytes, seconds);
            let percent =
                100.0 * bytes as f64 / seconds.max(f64::MIN_POSITIVE) / copy;
            let rate = rate.trim_end_matches(" GB/s");
            if percent < 1.0 {
                format!("{rate} (<1%)")
            } else {
                format!("{rate} ({percent:.0}%)")
            }
        }
        Work::Flops(flops) => gpu_reference::format_gflops(flops, seconds)
            .trim_end_matches(" GFLOP/s")
            .to_string(),
    }
}

/// The benchmark: one row per backend, one column per problem. Streaming
/// problems show GB/s and, in brackets, that as a percentage of the same
/// device's copy bandwidth.
fn print_table(problems: &[Problem], mandelbrot: bool, rows: &[Row]) {
    let mut header = vec!["backend".to_string(), "copy".to_string()];
    header.extend(problems.iter().map(|p| p.name().to_string()));
    if mandelbrot {
        header.push("mandelbrot".to_string());
    }
    let mut lines = vec![header];
    for row in rows {
        let name = if row.emulated {
            format!("{} (emulated)", row.device.name())
        } else {
            row.device.name().to_string()
        };
        let mut line = vec![name];
        match row.copy {
            Some(copy) => {
                line.push(cell_copy(copy));
                line.extend(row.measured.iter().map(|m| match m {
                    Some(m) => cell(m, copy),
                    None => "too big".to_string(),
                }));
                if let Some((pixels, time)) = row.drawn {
                    let rate = format_pixel_rate(pixels, time);
                    line.push(rate.trim_end_matches(" Mpixel/s").to_string());
                }
            }
            None => line.push("not run".to_string()),
        }
        lines.push(line);
    }
    let columns = lines.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            lines
                .iter()
                .filter_map(|l| l.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    println!();
    println!(
        "from the median rounds: GB/s, in brackets as a share of the same device's copy; \
         matmul in GFLOP/s, mandelbrot in Mpixel/s"
    );
    for line in &lines {
        let cells: Vec<String> = line
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        println!("{}", cells.join("  ").trim_end());
    }
}

/// The copy column: GB/s without the unit, like the cells beside it.
fn cell_copy(copy: f64) -> String {
    gpu_reference::format_bandwidth(copy as usize, 1.0)
        .trim_end_matches(" GB/s")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::working_set;

    #[test]
    fn a_working_set_is_a_memory_figure_at_four_times_the_cache() {
        let h100_l2 = 50 << 20;
        let small = working_set(4_000_000, h100_l2);
        assert!(small.contains("32.0 MB, 0.6x"), "{small}");
        assert!(small.contains("under 4x"), "{small}");
        let report = working_set(1 << 26, h100_l2);
        assert!(report.contains("10.2x"), "{report}");
        assert!(report.contains("(a memory figure)"), "{report}");
    }
}
