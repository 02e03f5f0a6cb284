//! The dot product as a plain loop, in eight lanes, with `wide`, and in
//! eight lanes on N cores: same answer, different speeds.

use book_helpers::format_speedup;
use book_helpers::measure::{Machine, interleaved_infallible};
use ch23_simd::{
    MAX_EXACT_LEN, build_f32_lanes, dot_chunked, dot_lanes, dot_parallel,
    dot_scalar, dot_wide, inputs,
};
use clap::Parser;
use rayon::ThreadPoolBuilder;

/// Rounds, after one warm-up run of each version; the versions take turns
/// round by round and the median is shown.
const ROUNDS: usize = 31;

/// Computes one dot product with a plain loop, with eight lanes the
/// compiler vectorises, with the wide crate's f32x8, and with eight lanes on
/// several threads; prints the times and checks that the answers agree.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Elements per vector (1 to 3000000; the answer stays exact in f32).
    #[arg(long, default_value_t = 1_000_000,
          value_parser = clap::value_parser!(u64).range(1..=MAX_EXACT_LEN as u64))]
    size: u64,

    /// Threads for the last row (1 to 256); defaults to the number of cores.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
}

fn main() {
    let args = Args::parse();
    let machine = Machine::now();
    let threads = args.threads.map_or(machine.cores, usize::from);
    let pool = ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("the system can start the pool's threads");
    let (x, y) = inputs(args.size as usize);
    let (vector, lanes) = build_f32_lanes();

    // Each row: its name, the sums it keeps, the threads it uses.
    let (x, y) = (&x, &y);
    let rows: [(String, usize, usize); 6] = [
        ("plain loop".into(), 1, 1),
        ("4 lanes, one accumulator".into(), 4, 1),
        ("8 lanes, chunked".into(), 8, 1),
        ("16 lanes, chunked".into(), 16, 1),
        ("8 lanes, wide::f32x8".into(), 8, 1),
        (format!("8 lanes × {threads} threads"), 8, threads),
    ];
    let mut versions: [Box<dyn FnMut() -> f32>; 6] = [
        Box::new(|| dot_scalar(x, y)),
        Box::new(|| dot_lanes::<4>(x, y)),
        Box::new(|| dot_chunked(x, y)),
        Box::new(|| dot_lanes::<16>(x, y)),
        Box::new(|| dot_wide(x, y)),
        Box::new(|| pool.install(|| dot_parallel(x, y))),
    ];
    let measured = interleaved_infallible(ROUNDS, &mut versions);

    println!("{}", machine.header());
    println!(
        "dot product of {} f32s; this build: {vector}, {lanes} f32 lanes per \
         vector instruction; {ROUNDS} rounds, the versions in turn; \
         median (fastest – slowest)\n",
        args.size
    );
    println!(
        "{:<24} {:>6} {:>7} {:>28} {:>8} {:>10} {:>12}",
        "variant",
        "chains",
        "threads",
        "time",
        "speedup",
        "efficiency",
        "result"
    );
    let baseline = measured[0].0.median();
    for ((name, sums, threads), (time, result)) in rows.iter().zip(&measured) {
        // Independent chains of additions: one per vector register of sums.
        let chains = sums.div_ceil(lanes);
        let speedup = baseline.as_secs_f64() / time.median().as_secs_f64();
        // The speedup as a share of what the lanes and threads this build
        // really uses could give: a row of 8 sums on SSE's 4 lanes at best
        // gains 4 from SIMD on each thread; the rest is broken chains.
        let used = if *sums == 1 { 1 } else { lanes };
        let efficiency = 100.0 * speedup / (used * threads) as f64;
        println!(
            "{name:<24} {chains:>6} {threads:>7} {:>28} {:>8} \
             {efficiency:>9.0}% {result:>12}",
            time.display(),
            format_speedup(baseline, time.median())
        );
    }
    let same = measured.iter().all(|(_, result)| *result == measured[0].1);
    println!("\nthe same result every way: {same}");
    if !same {
        std::process::exit(1);
    }
}
