//! Memory bandwidth (STREAM's copy, scale, add, triad) and compute rate
//! (polynomials of rising degree) measured on one thread and on N, and
//! placed on a roofline.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use book_helpers::{fastest_of, format_duration, format_speedup, load_average};
use ch21_roofline::plot::{self, Kernel};
use ch21_roofline::{
    Arrays, Stream, coefficients, polynomial, polynomial_cost, roof,
};
use clap::Parser;
use rayon::{ThreadPool, ThreadPoolBuilder};

/// Each kernel runs this many times per pool and its fastest run counts.
const RUNS: usize = 3;

/// The polynomial degrees: 2 to 128 operations per 16 bytes.
const DEGREES: [usize; 7] = [0, 1, 3, 7, 15, 31, 63];

/// Measures memory bandwidth with STREAM-style kernels and compute rate with
/// polynomials of rising degree, on one thread and on N, and draws a
/// roofline from the numbers.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Elements per array (1000 to 100000000); the default, 16 million
    /// doubles (128 MB) per array, is larger than most last-level caches.
    #[arg(long, default_value_t = 16_000_000,
          value_parser = clap::value_parser!(u64).range(1000..=100_000_000))]
    size: u64,

    /// Threads in the larger pool (1 to 256); defaults to the number of cores.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,

    /// Write the measurements (roofline.csv) and the plot (roofline.svg) here.
    #[arg(long, env = "BOOK_OUTPUT_DIR", value_name = "DIR")]
    plot: Option<PathBuf>,
}

/// One kernel measured on both pools.
struct Measured {
    name: String,
    flops: f64,
    bytes: f64,
    one: Duration,
    many: Duration,
}

impl Measured {
    fn gbs(&self) -> f64 {
        self.bytes / self.many.as_secs_f64() / 1e9
    }
    fn gflops(&self) -> f64 {
        self.flops / self.many.as_secs_f64() / 1e9
    }
    fn speedup(&self) -> f64 {
        self.one.as_secs_f64() / self.many.as_secs_f64()
    }
}

// ANCHOR: main
fn main() {
    let args = Args::parse();
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let threads = args.threads.map_or(cores, usize::from);
    let len = args.size as usize;
    let pools = [pool_of(1), pool_of(threads)];
    let load =
        load_average().map_or(String::new(), |l| format!(", load {l:.1}"));
    println!(
        "{len} doubles per array; 1 thread vs {threads} ({cores} cores{load})\n"
    );

    let mut arrays = Arrays::new(len);
    let stream: Vec<Measured> = Stream::ALL
        .iter()
        .map(|&kernel| {
            let n = len as f64;
            let (flops, bytes) = (
                kernel.flops_per_element() * n,
                kernel.bytes_per_element() * n,
            );
            let [one, many] = pools.each_ref().map(|pool| {
                pool.install(|| fastest_of(RUNS, || kernel.run(&mut arrays)).1)
            });
            Measured {
                name: kernel.name().into(),
                flops,
                bytes,
                one,
                many,
            }
        })
        .collect();
    let triad = stream.last().expect("triad is measured").gbs();

    let x = arrays.a.clone();
    let mut out = vec![0.0; len];
    let compute: Vec<Measured> = DEGREES
        .iter()
        .map(|&degree| {
            let c = coefficients(degree);
            let (flops, bytes) = polynomial_cost(degree);
            let n = len as f64;
            let [one, many] = pools.each_ref().map(|pool| {
                pool.install(|| {
                    fastest_of(RUNS, || polynomial(&c, &x, &mut out)).1
                })
            });
            let name = format!("degree {degree}");
            Measured {
                name,
                flops: flops * n,
                bytes: bytes * n,
                one,
                many,
            }
        })
        .collect();
    let peak = compute.iter().map(Measured::gflops).fold(0.0, f64::max);

    print_stream(&stream, threads, triad);
    print_compute(&compute, threads, peak, triad);
    print_goals(&stream, &compute, threads, triad);
    if let Some(dir) = &args.plot {
        save(dir, &stream, &compute, triad, peak, cores, &load);
    }
}
// ANCHOR_END: main

fn pool_of(threads: usize) -> ThreadPool {
    ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("the system can start the pool's threads")
}

fn times(m: &Measured, threads: usize) -> (String, String, String, f64) {
    let efficiency = 100.0 * m.speedup() / threads as f64;
    let (one, many) = (format_duration(m.one), format_duration(m.many));
    (one, many, format_speedup(m.one, m.many), efficiency)
}

fn print_stream(stream: &[Measured], threads: usize, triad: f64) {
    println!("memory-bound: STREAM kernels");
    let [a, b, c, d, e, f, g] = [
        "kernel",
        "flop/B",
        "1 thread",
        "N threads",
        "speedup",
        "efficiency",
        "GB/s",
    ];
    println!("{a:<8} {b:>6} {c:>9} {d:>9} {e:>8} {f:>10} {g:>6} of triad");
    for m in stream {
        let (one, many, speedup, eff) = times(m, threads);
        let (name, intensity, gbs) = (&m.name, m.flops / m.bytes, m.gbs());
        let share = 100.0 * gbs / triad;
        println!(
            "{name:<8} {intensity:>6.3} {one:>9} {many:>9} {speedup:>8} \
             {eff:>9.0}% {gbs:>6.1} {share:>8.0}%"
        );
    }
    println!();
}

fn print_compute(compute: &[Measured], threads: usize, peak: f64, triad: f64) {
    println!("from memory-bound to compute-bound: polynomials, Horner's rule");
    let [a, b, c, d, e, f, g] = [
        "kernel",
        "flop/B",
        "1 thread",
        "N threads",
        "speedup",
        "efficiency",
        "GFLOP/s",
    ];
    println!("{a:<9} {b:>6} {c:>9} {d:>9} {e:>8} {f:>10} {g:>7} of roof");
    for m in compute {
        let (one, many, speedup, eff) = times(m, threads);
        let (name, intensity, gflops) =
            (&m.name, m.flops / m.bytes, m.gflops());
        let share = 100.0 * gflops / roof(peak, triad, intensity);
        println!(
            "{name:<9} {intensity:>6.3} {one:>9} {many:>9} {speedup:>8} \
             {eff:>9.0}% {gflops:>7.2} {share:>6.0}%"
        );
    }
    println!();
}

// ANCHOR: goals
/// The two goals of the chapter, and whether this run met them.
fn print_goals(
    stream: &[Measured],
    compute: &[Measured],
    threads: usize,
    triad: f64,
) {
    let densest = compute.last().expect("polynomials are measured");
    let target = 0.9 * threads as f64;
    println!(
        "compute-bound ({}): speedup {:.2}× on {threads} threads; \
         goal ≥ {target:.2}×: {}",
        densest.name,
        densest.speedup(),
        met(densest.speedup() >= target)
    );
    for m in &stream[..3] {
        let share = m.gbs() / triad;
        println!(
            "memory-bound ({}): {:.0}% of the triad's bandwidth; goal ≥ 85%: {}",
            m.name,
            100.0 * share,
            met(share >= 0.85)
        );
    }
}
// ANCHOR_END: goals

fn met(yes: bool) -> &'static str {
    if yes { "met" } else { "not met" }
}

/// Writes the measurements as CSV and draws the roofline; a folder that
/// cannot be written is an error the reader must see.
fn save(
    dir: &Path,
    stream: &[Measured],
    compute: &[Measured],
    triad: f64,
    peak: f64,
    cores: usize,
    load: &str,
) {
    let result = (|| -> Result<(), Box<dyn std::error::Error>> {
        let mut csv =
            String::from("kernel,flops,bytes,seconds_1,seconds_n,gbs,gflops\n");
        let mut kernels = Vec::new();
        for (m, memory_bound) in stream
            .iter()
            .map(|m| (m, true))
            .chain(compute.iter().map(|m| (m, false)))
        {
            let (one, many) = (m.one.as_secs_f64(), m.many.as_secs_f64());
            csv.push_str(&format!(
                "{},{},{},{one:.6},{many:.6},{:.3},{:.3}\n",
                m.name,
                m.flops,
                m.bytes,
                m.gbs(),
                m.gflops()
            ));
            kernels.push(Kernel {
                name: m.name.clone(),
                intensity: m.flops / m.bytes,
                gflops: m.gflops(),
                memory_bound,
            });
        }
        std::fs::write(dir.join("roofline.csv"), csv)?;
        let title = format!(
            "Roofline, measured: {}, {cores} cores{load}",
            ch21_roofline::cpu_model()
        );
        plot::draw(&dir.join("roofline.svg"), triad, peak, &kernels, &title)
    })();
    if let Err(error) = result {
        eprintln!("cannot write the plot into {}: {error}", dir.display());
        std::process::exit(1);
    }
    println!("\nwritten: roofline.csv, roofline.svg");
}
