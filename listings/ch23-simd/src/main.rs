//! The dot product as a plain loop, in eight lanes, with `wide`, and in
//! eight lanes on N cores: same answer, different speeds.

use std::num::NonZeroUsize;
use std::thread;
use std::time::Duration;

use book_helpers::{fastest_of, format_duration, format_speedup, load_average};
use ch23_simd::{
    LANES, MAX_EXACT_LEN, dot_chunked, dot_parallel, dot_scalar, dot_wide,
    inputs,
};
use clap::Parser;
use rayon::ThreadPoolBuilder;

/// Each version runs this many times and its fastest run is shown.
const RUNS: usize = 30;

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
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let threads = args.threads.map_or(cores, usize::from);
    let pool = ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("the system can start the pool's threads");
    let (x, y) = inputs(args.size as usize);

    // Each row: its name, the lanes and threads it works with, its result
    // and its fastest time.
    let rows: [(String, usize, usize, (f32, Duration)); 4] = [
        (
            "plain loop".into(),
            1,
            1,
            fastest_of(RUNS, || dot_scalar(&x, &y)),
        ),
        (
            "8 lanes, chunked".into(),
            LANES,
            1,
            fastest_of(RUNS, || dot_chunked(&x, &y)),
        ),
        (
            "8 lanes, wide::f32x8".into(),
            LANES,
            1,
            fastest_of(RUNS, || dot_wide(&x, &y)),
        ),
        (
            format!("8 lanes × {threads} threads"),
            LANES,
            threads,
            pool.install(|| fastest_of(RUNS, || dot_parallel(&x, &y))),
        ),
    ];

    let load =
        load_average().map_or(String::new(), |l| format!(", load {l:.1}"));
    println!("dot product of {} f32s ({cores} cores{load})\n", args.size);
    println!(
        "variant                threads      time  speedup efficiency       result"
    );
    let baseline = rows[0].3.1;
    for (name, lanes, threads, (result, time)) in &rows {
        let (time_text, speedup) =
            (format_duration(*time), format_speedup(baseline, *time));
        // The speedup as a share of what the lanes and threads could give:
        // eight lanes on two threads could at best go sixteen times faster.
        let efficiency = 100.0 * baseline.as_secs_f64()
            / time.as_secs_f64()
            / (lanes * threads) as f64;
        println!(
            "{name:<22} {threads:>7} {time_text:>9} {speedup:>8} \
             {efficiency:>9.0}% {result:>12}"
        );
    }
    let same = rows.iter().all(|row| row.3.0 == rows[0].3.0);
    println!("\nthe same result every way: {same}");
    if !same {
        std::process::exit(1);
    }
}
