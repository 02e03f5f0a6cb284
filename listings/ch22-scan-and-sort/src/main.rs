//! Prefix sums (sequential, naive parallel, work-efficient parallel) and
//! sorting (sort against par_sort), each timed on one thread and on N.

use std::num::NonZeroUsize;
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use book_helpers::{cli, format_duration, format_speedup, load_average, timed};
use ch22_scan_and_sort::{input, scan_blocked, scan_naive, scan_sequential};
use clap::Parser;
use rayon::prelude::*;
use rayon::{ThreadPool, ThreadPoolBuilder};

/// Each variant runs this many times and its fastest run is shown.
const RUNS: usize = 5;

/// Measures a naive and a work-efficient parallel prefix sum against the
/// sequential loop, and rayon's parallel sorts against the standard ones.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Elements to scan and to sort (1 to 50000000).
    #[arg(long, default_value_t = 4_000_000,
          value_parser = clap::value_parser!(u64).range(1..=50_000_000))]
    size: u64,

    /// Threads in the larger pool (1 to 256); defaults to the number of cores.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
}

/// One timed variant: its name, pool size, time, additions and result.
struct Row {
    name: String,
    threads: usize,
    time: Duration,
    additions: Option<usize>,
    result: Vec<u64>,
}

/// Runs `work` on a fresh copy of `data` in `pool`, `RUNS` times, and keeps
/// the fastest run; making the copy is not timed.
fn measure(
    name: &str,
    pool: &ThreadPool,
    data: &[u64],
    work: impl Fn(&mut Vec<u64>) -> Option<usize> + Sync,
) -> Row {
    let mut best: Option<Row> = None;
    for _ in 0..RUNS {
        let mut copy = data.to_vec();
        let (additions, time) = timed(|| pool.install(|| work(&mut copy)));
        if best.as_ref().is_none_or(|best| time < best.time) {
            let threads = pool.current_num_threads();
            let name = name.into();
            best = Some(Row {
                name,
                threads,
                time,
                additions,
                result: copy,
            });
        }
    }
    best.expect("RUNS > 0")
}

// ANCHOR: main
fn main() -> ExitCode {
    let args = Args::parse();
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let threads = args.threads.map_or(cores, usize::from);
    let (one, many) = (pool_of(1), pool_of(threads));
    let data = input(args.size as usize);
    let load =
        load_average().map_or(String::new(), |l| format!(", load {l:.1}"));
    println!(
        "{} numbers; 1 thread vs {threads} ({cores} cores{load})\n",
        data.len()
    );

    let scans = [
        measure("sequential scan", &one, &data, |d| Some(scan_sequential(d))),
        measure("naive scan", &one, &data, |d| Some(scan_naive(d))),
        measure("naive scan", &many, &data, |d| Some(scan_naive(d))),
        measure("work-efficient scan", &one, &data, |d| {
            Some(scan_blocked(d, threads))
        }),
        measure("work-efficient scan", &many, &data, |d| {
            Some(scan_blocked(d, threads))
        }),
    ];
    print_table("prefix sums", &scans, data.len(), |_| 0);

    // Each parallel sort is compared with its sequential counterpart.
    let sorts = [
        measure("sort_unstable", &one, &data, |d| {
            d.sort_unstable();
            None
        }),
        measure("par_sort_unstable", &many, &data, |d| {
            d.par_sort_unstable();
            None
        }),
        measure("sort (stable)", &one, &data, |d| {
            d.sort();
            None
        }),
        measure("par_sort (stable)", &many, &data, |d| {
            d.par_sort();
            None
        }),
    ];
    print_table("sorting", &sorts, data.len(), |name| match name {
        "par_sort_unstable" => 0,
        "par_sort (stable)" | "sort (stable)" => 2,
        _ => 0,
    });

    let scans_agree = scans.iter().all(|row| row.result == scans[0].result);
    let sorts_agree = sorts.iter().all(|row| row.result == sorts[0].result);
    let sorted = sorts[0].result.is_sorted();
    println!("every scan gives the same sums: {scans_agree}");
    println!(
        "every sort gives the same sorted order: {}",
        sorts_agree && sorted
    );
    let agree = scans_agree && sorts_agree && sorted;
    cli::exit_code(if agree {
        Ok(())
    } else {
        Err("the ways disagree")
    })
}
// ANCHOR_END: main

fn pool_of(threads: usize) -> ThreadPool {
    ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("the system can start the pool's threads")
}

/// Speedups are over a sequential row: the first for the scans, the one
/// just above for each parallel sort.
fn print_table(
    title: &str,
    rows: &[Row],
    len: usize,
    baseline: impl Fn(&str) -> usize,
) {
    println!("{title}");
    let [a, b, c, d, e, f] = [
        "variant",
        "threads",
        "time",
        "speedup",
        "efficiency",
        "additions/n",
    ];
    println!("{a:<20} {b:>7} {c:>9} {d:>8} {e:>10} {f:>11}");
    for row in rows {
        // The sequential row this one is measured against.
        let baseline = &rows[baseline(&row.name)];
        let time = format_duration(row.time);
        let speedup = format_speedup(baseline.time, row.time);
        let ratio = baseline.time.as_secs_f64() / row.time.as_secs_f64();
        let efficiency = 100.0 * ratio / row.threads as f64;
        let work = row.additions.map_or("-".into(), |a| {
            format!("{:.2}", a as f64 / len.max(1) as f64)
        });
        let (name, threads) = (&row.name, row.threads);
        println!(
            "{name:<20} {threads:>7} {time:>9} {speedup:>8} {efficiency:>9.0}% {work:>11}"
        );
    }
    println!();
}
