//! The Mandelbrot set, one kernel invocation per pixel, on every device the
//! machine offers: the CPU (the reference), OpenCL, and wgpu with WGSL and with
//! GLSL. Each device's picture is compared with the CPU's, and one of them is
//! written out as a PNG.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use book_helpers::format_speedup;
use book_helpers::measure::Machine;
use ch24_opencl_kernels::OpenCl;
use ch24_wgpu_kernels::{Gpu, Language, Wgpu};
use clap::{Parser, ValueEnum};
use gpu_reference::{Backend, Cpu, View};

#[derive(Debug, Parser)]
#[command(
    about = "The Mandelbrot set on the CPU, OpenCL, WGSL and GLSL, compared pixel by pixel and drawn to a PNG"
)]
struct Args {
    /// Picture width in pixels.
    #[arg(long, default_value_t = 640, value_parser = clap::value_parser!(u32).range(16..=8192))]
    width: u32,
    /// Picture height in pixels.
    #[arg(long, default_value_t = 400, value_parser = clap::value_parser!(u32).range(16..=8192))]
    height: u32,
    /// The most iterations per pixel; points still bounded after that count as
    /// inside.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    iterations: u32,
    /// Devices to run on, besides the CPU reference (comma-separated).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "opencl,wgsl,glsl"
    )]
    device: Vec<Device>,
    /// Write mandelbrot.png (the last device's picture) into this folder.
    #[arg(long, env = "BOOK_OUTPUT_DIR", value_name = "DIR")]
    picture: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Device {
    Cpu,
    Opencl,
    Wgsl,
    Glsl,
}

fn main() -> ExitCode {
    let args = Args::parse();
    book_helpers::cli::exit_code(run(&args))
}

fn run(args: &Args) -> Result<(), String> {
    let machine = Machine::now();
    let view = View::whole_set(args.width, args.height, args.iterations);
    let (cpu, cpu_time) = Cpu.mandelbrot(&view)?;
    let mut lines = vec![format!(
        "{:<7} {}: the reference",
        "cpu",
        cpu_time.display()
    )];
    let mut last = cpu.clone();
    for device in &args.device {
        if *device == Device::Cpu {
            continue;
        }
        let backend = open(*device)?;
        let (picture, time) = backend.mandelbrot(&view)?;
        let name = backend.describe();
        let differ =
            gpu_reference::check_mandelbrot(&picture, &cpu, view.width)
                .map_err(|error| format!("{device:?}: {error}"))?;
        lines.push(format!(
            "{:<7} {}: speedup {} over the CPU; {differ} of {} pixels differ from the CPU's, on {name}",
            format!("{device:?}").to_lowercase(),
            time.display(),
            format_speedup(cpu_time.median(), time.median()),
            view.pixels(),
        ));
        last = picture;
    }
    println!("{}", machine.header());
    println!(
        "{} x {} pixels, at most {} iterations each; three runs per device, \
         median (fastest – slowest)",
        view.width, view.height, view.max_iter
    );
    for line in lines {
        println!("{line}");
    }
    if let Some(dir) = &args.picture {
        let path = dir.join("mandelbrot.png");
        write_png(&path, &view, &last).map_err(|error| {
            format!("cannot write {}: {error}", path.display())
        })?;
        println!("picture written: mandelbrot.png");
    }
    Ok(())
}

// ANCHOR: png
/// The iteration counts as colours, written as an 8-bit RGB PNG.
fn write_png(
    path: &Path,
    view: &View,
    iterations: &[u32],
) -> Result<(), String> {
    let file =
        std::fs::File::create(path).map_err(|error| error.to_string())?;
    let mut encoder = png::Encoder::new(
        std::io::BufWriter::new(file),
        view.width,
        view.height,
    );
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let rgb: Vec<u8> = iterations
        .iter()
        .flat_map(|i| gpu_reference::colour(*i, view.max_iter))
        .collect();
    let mut writer =
        encoder.write_header().map_err(|error| error.to_string())?;
    writer
        .write_image_data(&rgb)
        .map_err(|error| error.to_string())?;
    writer.finish().map_err(|error| error.to_string())
}
// ANCHOR_END: png

/// The device's backend, from the OpenCL and wgpu listings' libraries: the
/// first OpenCL device, or the first Vulkan adapter (a GPU before lavapipe)
/// with WGSL or GLSL.
fn open(device: Device) -> Result<Box<dyn Backend>, String> {
    Ok(match device {
        Device::Cpu => Box::new(Cpu),
        Device::Opencl => Box::new(OpenCl::open(0)?),
        Device::Wgsl => Box::new(Wgpu::new(Gpu::open(None)?, Language::Wgsl)),
        Device::Glsl => Box::new(Wgpu::new(Gpu::open(None)?, Language::Glsl)),
    })
}
