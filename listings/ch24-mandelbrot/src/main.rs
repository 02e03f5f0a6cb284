//! The Mandelbrot set, one kernel invocation per pixel, on every device the machine offers:
//! the CPU (the reference), OpenCL, and wgpu with WGSL and with GLSL. Each device's picture is
//! compared with the CPU's, and one of them is written out as a PNG.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use book_helpers::{fastest_of, format_duration, format_speedup};
use clap::{Parser, ValueEnum};
use gpu_reference::{View, kernels};
use wgpu::util::{BufferInitDescriptor, DeviceExt};

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
    /// The most iterations per pixel; points still bounded after that count as inside.
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
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let view = View::whole_set(args.width, args.height, args.iterations);
    println!(
        "{} x {} pixels, at most {} iterations each",
        view.width, view.height, view.max_iter
    );
    let (cpu, cpu_time) = fastest_of(3, || gpu_reference::mandelbrot(&view));
    println!(
        "{:<7} {:>9}  the reference",
        "cpu",
        format_duration(cpu_time)
    );
    let mut last = cpu.clone();
    for device in &args.device {
        let (name, picture, time) = match device {
            Device::Cpu => continue,
            Device::Opencl => on_opencl(&view)?,
            Device::Wgsl => on_wgpu(&view, Language::Wgsl)?,
            Device::Glsl => on_wgpu(&view, Language::Glsl)?,
        };
        let differ = gpu_reference::check_mandelbrot(&picture, &cpu)
            .map_err(|error| format!("{device:?}: {error}"))?;
        println!(
            "{:<7} {:>9}  speedup {} over the CPU; {differ} of {} pixels differ from the CPU's, on {name}",
            format!("{device:?}").to_lowercase(),
            format_duration(time),
            format_speedup(cpu_time, time),
            view.pixels(),
        );
        last = picture;
    }
    if let Some(dir) = &args.picture {
        let path = dir.join("mandelbrot.png");
        write_png(&path, &view, &last)
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
        println!("picture written: mandelbrot.png");
    }
    Ok(())
}

// ANCHOR: png
/// The iteration counts as colours, written as an 8-bit RGB PNG.
fn write_png(path: &Path, view: &View, iterations: &[u32]) -> Result<(), String> {
    let file = std::fs::File::create(path).map_err(|error| error.to_string())?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), view.width, view.height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let rgb: Vec<u8> = iterations
        .iter()
        .flat_map(|i| gpu_reference::colour(*i, view.max_iter))
        .collect();
    let mut writer = encoder.write_header().map_err(|error| error.to_string())?;
    writer
        .write_image_data(&rgb)
        .map_err(|error| error.to_string())?;
    writer.finish().map_err(|error| error.to_string())
}
// ANCHOR_END: png

/// The picture on the first OpenCL device: its name, the iteration counts, the kernel's time.
fn on_opencl(view: &View) -> Result<(String, Vec<u32>, Duration), String> {
    let error = |e: ocl::Error| format!("OpenCL: {e}");
    if ocl::core::get_platform_ids().map_or(true, |ids| ids.is_empty()) {
        return Err(
            "no OpenCL platform found: install a driver for your GPU, or PoCL \
                    (Debian: apt-get install pocl-opencl-icd; `cargo xtask setup` does it)"
                .to_string(),
        );
    }
    let tile = |n: u32| n.div_ceil(16) as usize * 16;
    // ProQue bundles a context, a queue and a program for the first device.
    let pro_que = ocl::ProQue::builder()
        .src(kernels::MANDELBROT_CL)
        .dims([tile(view.width), tile(view.height)])
        .build()
        .map_err(error)?;
    let name = pro_que.device().name().map_err(error)?;
    let out = ocl::Buffer::<u32>::builder()
        .queue(pro_que.queue().clone())
        .len(view.pixels())
        .build()
        .map_err(error)?;
    let kernel = pro_que
        .kernel_builder("mandelbrot")
        .local_work_size([16, 16])
        .arg(&out)
        .arg(view.width)
        .arg(view.height)
        .arg(view.max_iter)
        .arg(view.x_min)
        .arg(view.y_min)
        .arg(view.step)
        .build()
        .map_err(error)?;
    let (ran, time) = fastest_of(3, || {
        // SAFETY: the arguments match the kernel's signature; it checks col and row itself.
        unsafe { kernel.enq() }.and_then(|()| pro_que.finish())
    });
    ran.map_err(error)?;
    let mut picture = vec![0u32; view.pixels()];
    out.read(&mut picture).enq().map_err(error)?;
    Ok((name, picture, time))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Language {
    Wgsl,
    Glsl,
}

/// The picture on the first Vulkan adapter through wgpu, from WGSL or GLSL source.
fn on_wgpu(view: &View, language: Language) -> Result<(String, Vec<u32>, Duration), String> {
    let mut descriptor = wgpu::InstanceDescriptor::new_without_display_handle();
    descriptor.backends = wgpu::Backends::VULKAN;
    let instance = wgpu::Instance::new(descriptor);
    let adapters = pollster::block_on(instance.enumerate_adapters(wgpu::Backends::VULKAN));
    let adapter = adapters.first().ok_or(
        "no Vulkan adapter found: install your GPU's Vulkan driver, or lavapipe \
         (Debian: apt-get install mesa-vulkan-drivers; `cargo xtask setup` does it)",
    )?;
    let name = adapter.get_info().name;
    let (device, queue) = pollster::block_on(adapter.request_device(&Default::default()))
        .map_err(|error| format!("the adapter refused a device: {error}"))?;
    let (source, entry) = match language {
        Language::Wgsl => (
            wgpu::ShaderSource::Wgsl(Cow::Borrowed(kernels::MANDELBROT_WGSL)),
            "mandelbrot",
        ),
        Language::Glsl => (
            wgpu::ShaderSource::Glsl {
                shader: Cow::Borrowed(kernels::MANDELBROT_GLSL),
                stage: wgpu::naga::ShaderStage::Compute,
                defines: &[],
            },
            "main",
        ),
    };
    let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(entry),
        source,
    });
    let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(entry),
        layout: None,
        module: &module,
        entry_point: Some(entry),
        compilation_options: Default::default(),
        cache: None,
    });
    if let Some(error) = pollster::block_on(scope.pop()) {
        return Err(format!("the {language:?} kernel did not compile:\n{error}"));
    }
    // The kernel's Params block: three u32 then three f32, padded to 32 bytes.
    let params: Vec<u8> = [view.width, view.height, view.max_iter]
        .iter()
        .flat_map(|v| v.to_ne_bytes())
        .chain(
            [view.x_min, view.y_min, view.step]
                .iter()
                .flat_map(|v| v.to_ne_bytes()),
        )
        .chain([0u8; 8])
        .collect();
    let uniform = device.create_buffer_init(&BufferInitDescriptor {
        label: None,
        contents: &params,
        usage: wgpu::BufferUsages::UNIFORM,
    });
    let size = (view.pixels() * size_of::<u32>()) as u64;
    let out = device.create_buffer(&wgpu::BufferDescriptor {
        label: None,
        size,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        mapped_at_creation: false,
    });
    let staging = device.create_buffer(&wgpu::BufferDescriptor {
        label: None,
        size,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: None,
        layout: &pipeline.get_bind_group_layout(0),
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: uniform.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: out.as_entire_binding(),
            },
        ],
    });
    let wait = || {
        device
            .poll(wgpu::PollType::wait_indefinitely())
            .map(|_| ())
            .map_err(|error| format!("waiting for the device: {error}"))
    };
    let run_once = || {
        let mut encoder = device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pass.set_pipeline(&pipeline);
            pass.set_bind_group(0, &bind_group, &[]);
            pass.dispatch_workgroups(view.width.div_ceil(16), view.height.div_ceil(16), 1);
        }
        queue.submit([encoder.finish()]);
        wait()
    };
    let (ran, time) = fastest_of(3, run_once);
    ran?;
    let mut encoder = device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(&out, 0, &staging, 0, size);
    queue.submit([encoder.finish()]);
    let slice = staging.slice(..);
    slice.map_async(wgpu::MapMode::Read, |_| {});
    wait()?;
    let picture = slice
        .get_mapped_range()
        .map_err(|error| format!("cannot read the picture back: {error}"))?
        .chunks_exact(4)
        .map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    Ok((format!("{name} ({language:?})"), picture, time))
}
