//! The wgpu listing's program: the chapter's four kernels in WGSL and in GLSL
//! on one chosen adapter, each checked against the CPU and timed, with the
//! kernels that go further (the register-blocked matrix multiply, the one-pass
//! sum with subgroups) on the line below the simple ones.

use std::process::ExitCode;

use book_helpers::measure::Machine;
use ch24_wgpu_kernels::{Gpu, Language, Wgpu, adapters, describe, pipeline};
use clap::{Parser, ValueEnum};
use gpu_reference::{Backend, Problem};

#[derive(Debug, Parser)]
#[command(
    about = "SAXPY, sum, scan and tiled and register-blocked matrix multiply in WGSL and GLSL, and a one-pass subgroup sum in WGSL, run by wgpu on a chosen adapter and checked against the CPU"
)]
struct Args {
    /// Elements per problem.
    #[arg(long, default_value_t = 1 << 22, value_parser = clap::value_parser!(u32).range(1..))]
    size: u32,
    /// Side of the square matrices of the matrix multiply.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=4096))]
    matrix: u32,
    /// The adapter to run on: a part of its name as --list-devices prints it
    /// (`llvmpipe` is lavapipe, on the CPU). Without it: the first GPU, else
    /// the first adapter.
    #[arg(long)]
    adapter: Option<String>,
    /// Which kernel languages to run.
    #[arg(long, value_enum, default_value_t = Languages::Both)]
    language: Languages,
    /// Which problem to run.
    #[arg(long, value_enum, default_value_t = Problems::All)]
    problem: Problems,
    /// Dispatch at most this many work-groups along one dimension, fewer
    /// than the adapter allows, so that the grid of rows a long vector needs
    /// shows at small sizes.
    #[arg(long, value_name = "GROUPS", value_parser = clap::value_parser!(u32).range(1..))]
    workgroup_limit: Option<u32>,
    /// Print the Vulkan adapters present, then stop.
    #[arg(long)]
    list_devices: bool,
    /// Compile this `.wgsl` or `.comp` (GLSL) file instead of the book's
    /// kernels (to see the compiler's log); its entry point must be `main`
    /// (GLSL) or `saxpy` (WGSL).
    #[arg(long, value_name = "FILE")]
    kernel: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Languages {
    Wgsl,
    Glsl,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Problems {
    Saxpy,
    Sum,
    Scan,
    Matmul,
    All,
}

impl Problems {
    fn chosen(self) -> Vec<Problem> {
        match self {
            Problems::Saxpy => vec![Problem::Saxpy],
            Problems::Sum => vec![Problem::Sum],
            Problems::Scan => vec![Problem::Scan],
            Problems::Matmul => vec![Problem::Matmul],
            Problems::All => Problem::ALL.to_vec(),
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    book_helpers::cli::exit_code(run(&args))
}

fn run(args: &Args) -> Result<(), String> {
    if args.list_devices {
        for (index, adapter) in adapters()?.iter().enumerate() {
            println!("{index}: {}", describe(&adapter.get_info()));
        }
        return Ok(());
    }
    let mut gpu = Gpu::open(args.adapter.as_deref())?;
    println!("wgpu adapter: {}; {}", describe(gpu.info()), gpu.clock());
    if let Some(limit) = args.workgroup_limit {
        gpu = gpu.with_workgroup_limit(limit)?;
        println!("at most {limit} work-groups a dimension per dispatch");
    }
    if let Some(path) = &args.kernel {
        return compile_file(&gpu, path);
    }
    let languages = match args.language {
        Languages::Wgsl => vec![Language::Wgsl],
        Languages::Glsl => vec![Language::Glsl],
        Languages::Both => vec![Language::Wgsl, Language::Glsl],
    };
    let n = args.size as usize;
    // Every size is checked before any work: a problem too big for the
    // adapter's buffers or dispatches is refused with no row printed.
    let problems = args.problem.chosen();
    let any = Wgpu::new(gpu.clone(), Language::Wgsl);
    for &problem in &problems {
        any.fits(problem, problem.size(n, args.matrix as usize))?;
    }
    // Rows print as they are measured; the machine line, which needs the
    // load at the end, comes last.
    let machine = Machine::now();
    let mut copy = None;
    for language in languages {
        let kernels = Wgpu::new(gpu.clone(), language);
        // The copy is the adapter's, whichever language then runs on it:
        // measure it once.
        let copy = match copy {
            Some(copy) => copy,
            None => {
                let measured = kernels.copy_bandwidth(n)?;
                println!(
                    "device copy: {} (reading and writing; the limit for kernels that stream memory)",
                    gpu_reference::format_bandwidth(measured as usize, 1.0)
                );
                *copy.insert(measured)
            }
        };
        for &problem in &problems {
            let size = problem.size(n, args.matrix as usize);
            let measured = kernels.run(problem, size)?;
            println!("{} {}", language.name(), measured.line(copy));
            if let Some(tuned) = kernels.run_tuned(problem, size) {
                println!("{} {}", language.name(), tuned?.line(copy));
            } else if problem == Problem::Sum
                && language == Language::Wgsl
                && !gpu.has_subgroups()
            {
                println!(
                    "WGSL one-pass sum: not run: this adapter has no subgroup operations \
                     (wgpu::Features::SUBGROUP)"
                );
            }
        }
    }
    println!("{}", machine.header());
    Ok(())
}

/// Compiles a reader's own kernel file, to show what the compiler says about
/// it.
fn compile_file(gpu: &Gpu, path: &std::path::Path) -> Result<(), String> {
    let source = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    let (language, entry) = match path.extension().and_then(|e| e.to_str()) {
        Some("wgsl") => (Language::Wgsl, "saxpy"),
        Some("comp") => (Language::Glsl, "main"),
        _ => {
            return Err(format!(
                "{}: expected a .wgsl or .comp file",
                path.display()
            ));
        }
    };
    pipeline(gpu, language, &source, entry)?;
    println!("{} compiled", path.display());
    Ok(())
}
