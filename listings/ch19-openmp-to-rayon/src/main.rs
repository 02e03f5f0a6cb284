//! Every row of the OpenMP-to-rayon table, run as the sequential loop and as
//! rayon in a pool of N threads: same answer, and how much faster.

use std::num::NonZeroUsize;
use std::thread;

use book_helpers::{fastest_of, format_duration, format_speedup, load_average};
use ch19_openmp_to_rayon::{Inputs, ROWS};
use clap::Parser;
use rayon::ThreadPoolBuilder;

/// Each version runs this many times and its fastest run is shown.
const RUNS: usize = 5;

/// Runs each OpenMP construct's rayon counterpart against its sequential
/// loop, checks that both give the same answer, and prints the speedup.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Elements in the loops (1 to 20000000).
    #[arg(long, default_value_t = 1_000_000,
          value_parser = clap::value_parser!(u64).range(1..=20_000_000))]
    size: u64,

    /// Threads in the pool (1 to 256); defaults to the number of cores.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
}

// ANCHOR: main
fn main() {
    let args = Args::parse();
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let threads = args.threads.map_or(cores, usize::from);
    // omp_set_num_threads(threads), but for this pool only: rayon's global
    // pool (sized by RAYON_NUM_THREADS or the core count) is left alone.
    let pool = ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("the system can start the pool's threads");
    let inputs = Inputs::new(args.size as usize);

    let load = load_average()
        .map(|load| format!(" (load {load:.1} before the run)"))
        .unwrap_or_default();
    println!(
        "{} elements, a pool of {threads} threads{load}\n",
        args.size
    );
    let [a, b, c, d, e, f, g] = [
        "OpenMP",
        "rayon",
        "sequential",
        "rayon",
        "speedup",
        "efficiency",
        "same",
    ];
    println!("{a:<19} {b:<28} {c:>10} {d:>9} {e:>7} {f:>10} {g:>4}");
    let mut all_same = true;
    for row in &ROWS {
        let (expected, serial) = fastest_of(RUNS, || (row.serial)(&inputs));
        let (answer, parallel) =
            pool.install(|| fastest_of(RUNS, || (row.parallel)(&inputs)));
        let same = answer == expected;
        all_same &= same;
        let speedup = serial.as_secs_f64() / parallel.as_secs_f64();
        let efficiency = 100.0 * speedup / threads as f64;
        let (serial, parallel, speedup_text) = (
            format_duration(serial),
            format_duration(parallel),
            format_speedup(serial, parallel),
        );
        let same = if same { "yes" } else { "NO" };
        let (a, b) = (row.openmp, row.rayon);
        println!(
            "{a:<19} {b:<28} {serial:>10} {parallel:>9} {speedup_text:>7} \
             {efficiency:>9.0}% {same:>4}"
        );
    }
    println!("\nevery rayon version gives the sequential answer: {all_same}");
    if !all_same {
        std::process::exit(1);
    }
}
// ANCHOR_END: main
