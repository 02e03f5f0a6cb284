//! Memory bandwidth (STREAM's copy, scale, add, triad) and compute rate
//! (polynomials of rising degree) measured on one thread and on N, and
//! placed on a roofline.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use book_helpers::format_speedup;
use book_helpers::measure::{Machine, Summary, interleaved_infallible};
use ch21_roofline::hardware::{self, BUILD_FMA, Hardware, build_vector};
use ch21_roofline::plot::{self, Ceiling, Kernel};
use ch21_roofline::{
    Arrays, Evaluation, LANES, POLYNOMIAL_TRAFFIC, Stream, coefficients,
    polynomial, polynomial_cost,
};
use clap::Parser;
use rayon::{ThreadPool, ThreadPoolBuilder};

/// Rounds per measurement, after one warm-up run of each variant.
const ROUNDS: usize = 5;

/// The polynomial degrees: 2 to 128 operations per element.
const DEGREES: [usize; 7] = [0, 1, 3, 7, 15, 31, 63];

/// The evaluations are compared on a degree-63 polynomial over an input
/// that stays in cache, so the arithmetic alone sets their speed.
const VARIANT_DEGREE: usize = 63;
const VARIANT_LEN: usize = 1 << 18;

/// Measures memory bandwidth with STREAM-style kernels and compute rate with
/// polynomials of rising degree, on one thread and on N, and draws them on a
/// roofline whose roof comes from the hardware.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Elements per array (1000 to 1000000000); the default is STREAM's
    /// rule, four times the last-level cache per array.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1000..=1_000_000_000))]
    size: Option<u64>,

    /// Threads in the larger pool (1 to 256); defaults to the number of cores.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,

    /// Write the measurements (roofline.csv) and the plot (roofline.svg) here.
    #[arg(long, env = "BOOK_OUTPUT_DIR", value_name = "DIR")]
    plot: Option<PathBuf>,
}

/// One kernel measured on both pools: the work it does, the bytes STREAM
/// counts and the bytes the memory moves.
struct Measured {
    name: String,
    flops: f64,
    counted: f64,
    traffic: f64,
    one: Summary,
    many: Summary,
}

impl Measured {
    fn seconds(&self) -> f64 {
        self.many.median().as_secs_f64()
    }
    fn counted_gbs(&self) -> f64 {
        self.counted / self.seconds() / 1e9
    }
    fn gbs(&self) -> f64 {
        self.traffic / self.seconds() / 1e9
    }
    fn gflops(&self) -> f64 {
        self.flops / self.seconds() / 1e9
    }
    fn intensity(&self) -> f64 {
        self.flops / self.traffic
    }
}

/// `work` on one thread and on N, interleaved round by round.
fn on_both_pools(
    pools: &[ThreadPool; 2],
    work: impl Fn(&ThreadPool),
) -> [Summary; 2] {
    let mut variants = pools.each_ref().map(|pool| || work(pool));
    let mut measured = interleaved_infallible(ROUNDS, &mut variants)
        .into_iter()
        .map(|(summary, ())| summary);
    [(); 2].map(|()| measured.next().expect("both pools are measured"))
}

// ANCHOR: main
fn main() {
    let args = Args::parse();
    let machine = Machine::now();
    let threads = args.threads.map_or(machine.cores, usize::from);
    let cache = book_helpers::measure::last_level_cache_bytes();
    let len = args
        .size
        .map_or(hardware::stream_len(cache), |n| n as usize);
    let hardware = hardware::this_machine(machine.cores);
    let pools = [pool_of(1), pool_of(threads)];

    let arrays = RefCell::new(Arrays::new(len));
    let stream: Vec<Measured> = Stream::ALL
        .iter()
        .map(|&kernel| {
            let n = len as f64;
            let [one, many] = on_both_pools(&pools, |pool| {
                let arrays: &mut Arrays = &mut arrays.borrow_mut();
                pool.install(|| kernel.run(arrays))
            });
            Measured {
                name: kernel.name().into(),
                flops: kernel.flops_per_element() * n,
                counted: kernel.bytes_per_element() * n,
                traffic: kernel.traffic_per_element() * n,
                one,
                many,
            }
        })
        .collect();

    let x = arrays.into_inner().a;
    let out = RefCell::new(vec![0.0; len]);
    let compute: Vec<Measured> = DEGREES
        .iter()
        .map(|&degree| {
            let c = coefficients(degree);
            let (flops, counted) = polynomial_cost(degree);
            let n = len as f64;
            let [one, many] = on_both_pools(&pools, |pool| {
                let out: &mut [f64] = &mut out.borrow_mut();
                pool.install(|| polynomial(&c, &x, out))
            });
            Measured {
                name: format!("degree {degree}"),
                flops: flops * n,
                counted: counted * n,
                traffic: POLYNOMIAL_TRAFFIC * n,
                one,
                many,
            }
        })
        .collect();
    let evaluations =
        measure_evaluations(&pools[1], &x[..VARIANT_LEN.min(len)]);

    println!("{}", machine.header());
    print_stream(&stream, threads, len, cache);
    let roof = print_roofs(&hardware, &stream);
    print_compute(&compute, roof.peak);
    let latency = print_evaluations(
        &evaluations,
        VARIANT_LEN.min(len),
        threads,
        roof.peak,
    );
    print_verdicts(&stream, &compute, &roof);
    if let Some(dir) = &args.plot {
        save(dir, &stream, &compute, &roof, latency, &machine);
    }
}
// ANCHOR_END: main

/// The roof, the ceilings below it, and the ridge point, for the plot and
/// the verdicts.
struct Roof {
    peak: f64,
    build: f64,
    bandwidth: f64,
}

/// The degree-63 polynomial evaluated every way this processor can, each
/// way timed on the N-thread pool, interleaved.
fn measure_evaluations(
    pool: &ThreadPool,
    x: &[f64],
) -> Vec<(Evaluation, Summary)> {
    let c = coefficients(VARIANT_DEGREE);
    let available: Vec<Evaluation> = Evaluation::ALL
        .into_iter()
        .filter(|e| e.available())
        .collect();
    let out = RefCell::new(vec![0.0; x.len()]);
    let mut variants: Vec<_> = available
        .iter()
        .map(|&evaluation| {
            let (c, out) = (&c, &out);
            move || {
                let out: &mut [f64] = &mut out.borrow_mut();
                pool.install(|| evaluation.run(c, x, out))
            }
        })
        .collect();
    let measured = interleaved_infallible(ROUNDS, &mut variants);
    available
        .into_iter()
        .zip(measured)
        .map(|(evaluation, (summary, ()))| (evaluation, summary))
        .collect()
}

fn pool_of(threads: usize) -> ThreadPool {
    ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("the system can start the pool's threads")
}

fn print_stream(
    stream: &[Measured],
    threads: usize,
    len: usize,
    cache: Option<u64>,
) {
    let mib = |bytes: f64| bytes / f64::from(1 << 20);
    let array = len as f64 * 8.0;
    let against = cache.map_or(String::new(), |cache| {
        format!(
            ", {:.1}× the last-level cache of {:.0} MiB",
            array / cache as f64,
            mib(cache as f64)
        )
    });
    println!(
        "\nmemory-bound: STREAM kernels, {len} doubles per array, \
         {:.0} MiB each{against}",
        mib(array)
    );
    println!(
        "bytes per element: counted as STREAM counts them / moved, with the \
         line each store first reads (write-allocate)"
    );
    println!(
        "{ROUNDS} rounds, 1 thread and {threads} in turn; \
         median (fastest – slowest)"
    );
    println!(
        "{:<6} {:>5} {:>9} {:>28} {:>7} {:>13} {:>11} {:>8}",
        "kernel",
        "bytes",
        "1 thread",
        "N threads",
        "speedup",
        "counted",
        "moved",
        "of triad"
    );
    let triad = stream.last().expect("triad is measured").gbs();
    for m in stream {
        let per = len as f64;
        let bytes = format!("{:.0}/{:.0}", m.counted / per, m.traffic / per);
        println!(
            "{:<6} {bytes:>5} {:>9} {:>28} {:>7} {:>8.1} GB/s {:>6.1} GB/s {:>7.0}%",
            m.name,
            book_helpers::format_duration(m.one.median()),
            m.many.display(),
            format_speedup(m.one.median(), m.many.median()),
            m.counted_gbs(),
            m.gbs(),
            100.0 * m.gbs() / triad
        );
    }
}

// ANCHOR: roofs
/// The roof and the ceilings below it, from the hardware; the ridge point
/// where the roof meets the triad's measured bandwidth.
fn print_roofs(hardware: &Hardware, stream: &[Measured]) -> Roof {
    let h = hardware;
    let (vector, lanes) = h.vector;
    let (build_vector, build_lanes) = build_vector();
    println!(
        "\nroofs from the hardware: {} cores, {:.2} GHz ({}), {vector} \
         ({lanes} f64 lanes), FMA {}",
        h.cores,
        h.clock_ghz,
        h.clock_source,
        if h.fma { "yes" } else { "no" }
    );
    let peak = h.peak_gflops();
    if h.fma {
        println!(
            "  peak, {vector} with FMA: {} cores × {:.2} GHz × {lanes} lanes \
             × {} FMA pipes (assumed) × 2 flop = {peak:.1} GFLOP/s",
            h.cores,
            h.clock_ghz,
            hardware::FMA_PIPES
        );
    } else {
        println!(
            "  peak, {vector} without FMA: {} cores × {:.2} GHz × {lanes} \
             lanes × {} pipes × 1 flop = {peak:.1} GFLOP/s",
            h.cores,
            h.clock_ghz,
            h.mul_add_pipes()
        );
    }
    let build = h.mul_add_ceiling(build_lanes);
    println!(
        "  this build, {build_vector} mul + add{}: {} cores × {:.2} GHz × \
         {build_lanes} lanes × {} pipes (multiplies and adds) × 1 flop = \
         {build:.1} GFLOP/s",
        if BUILD_FMA {
            " (FMA enabled)"
        } else {
            ", no FMA"
        },
        h.cores,
        h.clock_ghz,
        h.mul_add_pipes()
    );
    let bandwidth = stream.last().expect("triad is measured").gbs();
    println!(
        "ridge point: {peak:.1} GFLOP/s / {bandwidth:.1} GB/s (the triad, \
         bytes moved) = {:.2} flop/B",
        peak / bandwidth
    );
    Roof {
        peak,
        build,
        bandwidth,
    }
}
// ANCHOR_END: roofs

fn print_compute(compute: &[Measured], peak: f64) {
    println!(
        "\nfrom memory-bound to compute-bound: polynomials, Horner's rule, \
         16 chains, mul + add"
    );
    println!(
        "{:<9} {:>6} {:>9} {:>28} {:>7} {:>13} {:>7}",
        "kernel",
        "flop/B",
        "1 thread",
        "N threads",
        "speedup",
        "rate",
        "of peak"
    );
    for m in compute {
        println!(
            "{:<9} {:>6.3} {:>9} {:>28} {:>7} {:>5.2} GFLOP/s {:>6.0}%",
            m.name,
            m.intensity(),
            book_helpers::format_duration(m.one.median()),
            m.many.display(),
            format_speedup(m.one.median(), m.many.median()),
            m.gflops(),
            100.0 * m.gflops() / peak
        );
    }
}

/// The evaluations' table, and the ceiling that one chain's latency sets
/// for sixteen: the rate of the one-chain row, sixteen times over.
fn print_evaluations(
    evaluations: &[(Evaluation, Summary)],
    len: usize,
    threads: usize,
    peak: f64,
) -> f64 {
    let (flops, _) = polynomial_cost(VARIANT_DEGREE);
    let n = len as f64;
    println!(
        "\nfive evaluations of the degree-{VARIANT_DEGREE} polynomial, \
         {len} doubles (in cache), {threads} threads; \
         median (fastest – slowest)"
    );
    let rate =
        |summary: &Summary| flops * n / summary.median().as_secs_f64() / 1e9;
    let lanes = evaluations
        .iter()
        .find(|(evaluation, _)| *evaluation == Evaluation::Lanes)
        .map(|(_, summary)| summary.median())
        .expect("every processor runs the plain lanes");
    println!(
        "{:<34} {:>28} {:>13} {:>8} {:>7}",
        "evaluation", "time", "rate", "of peak", "vs 16 mul + add"
    );
    for (evaluation, summary) in evaluations {
        println!(
            "{:<34} {:>28} {:>5.2} GFLOP/s {:>7.0}% {:>7}",
            evaluation.name(),
            summary.display(),
            rate(summary),
            100.0 * rate(summary) / peak,
            format_speedup(lanes, summary.median())
        );
    }
    let one_chain = evaluations
        .iter()
        .find(|(evaluation, _)| *evaluation == Evaluation::OneChain)
        .map_or(0.0, |(_, summary)| rate(summary));
    for evaluation in Evaluation::ALL.iter().filter(|e| !e.available()) {
        println!("{:<34} not available on this processor", evaluation.name());
    }
    let latency = one_chain * LANES as f64;
    println!(
        "latency ceiling of {LANES} chains: {LANES} × one chain's rate = \
         {latency:.1} GFLOP/s"
    );
    latency
}

// ANCHOR: verdicts
/// What the run shows, one line each: the code against the hardware's
/// roof, and the STREAM kernels against the triad, bytes moved.
fn print_verdicts(stream: &[Measured], compute: &[Measured], roof: &Roof) {
    let best = compute
        .iter()
        .max_by(|a, b| a.gflops().total_cmp(&b.gflops()))
        .expect("polynomials are measured");
    println!(
        "\nthis code's best: {:.2} GFLOP/s ({}), {:.0}% of the hardware \
         peak, {:.0}% of this build's ceiling",
        best.gflops(),
        best.name,
        100.0 * best.gflops() / roof.peak,
        100.0 * best.gflops() / roof.build
    );
    let triad = stream.last().expect("triad is measured");
    for m in &stream[..3] {
        println!(
            "{}: {:.0}% of the triad's bandwidth as STREAM counts bytes, \
             {:.0}% with write-allocate",
            m.name,
            100.0 * m.counted_gbs() / triad.counted_gbs(),
            100.0 * m.gbs() / triad.gbs()
        );
    }
}
// ANCHOR_END: verdicts

/// Writes the measurements as CSV and draws the roofline; a folder that
/// cannot be written is an error the reader must see.
fn save(
    dir: &Path,
    stream: &[Measured],
    compute: &[Measured],
    roof: &Roof,
    latency: f64,
    machine: &Machine,
) {
    let result = (|| -> Result<(), Box<dyn std::error::Error>> {
        let mut csv = String::from(
            "kernel,flops,bytes_counted,bytes_moved,seconds_1,seconds_n,gbs_moved,gflops\n",
        );
        let mut kernels = Vec::new();
        for (m, memory_bound) in stream
            .iter()
            .map(|m| (m, true))
            .chain(compute.iter().map(|m| (m, false)))
        {
            csv.push_str(&format!(
                "{},{},{},{},{:.6},{:.6},{:.3},{:.3}\n",
                m.name,
                m.flops,
                m.counted,
                m.traffic,
                m.one.median().as_secs_f64(),
                m.seconds(),
                m.gbs(),
                m.gflops()
            ));
            kernels.push(Kernel {
                name: m.name.clone(),
                intensity: m.intensity(),
                gflops: m.gflops(),
                memory_bound,
            });
        }
        std::fs::write(dir.join("roofline.csv"), csv)?;
        let best = compute.iter().map(Measured::gflops).fold(0.0, f64::max);
        let (build_vector, _) = build_vector();
        let ceilings = [
            Ceiling {
                label: format!("this build: {build_vector} multiply + add"),
                gflops: roof.build,
            },
            Ceiling {
                label: format!("{LANES} chains' latency (measured)"),
                gflops: latency,
            },
            Ceiling {
                label: "this code's best (measured)".to_string(),
                gflops: best,
            },
        ];
        let title = format!(
            "Roofline: {}, {} cores; roof from the hardware, points measured",
            machine.model, machine.cores
        );
        plot::draw(
            &dir.join("roofline.svg"),
            roof.bandwidth,
            roof.peak,
            &ceilings,
            &kernels,
            &title,
        )
    })();
    if let Err(error) = result {
        eprintln!("cannot write the plot into {}: {error}", dir.display());
        std::process::exit(1);
    }
    println!("\nwritten: roofline.csv, roofline.svg");
}
