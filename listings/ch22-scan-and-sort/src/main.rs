//! Prefix sums (sequential, naive parallel, work-efficient parallel) and
//! sorting (sort against par_sort), each timed on one thread and on N.

use std::num::NonZeroUsize;
use std::process::ExitCode;
use std::thread;

use book_helpers::measure::{Machine, Summary, interleaved_batched};
use book_helpers::{cli, format_speedup};
use ch22_scan_and_sort::{input, scan_blocked, scan_naive, scan_sequential};
use clap::Parser;
use rayon::prelude::*;
use rayon::{ThreadPool, ThreadPoolBuilder};

/// Every variant of a table runs once to warm up and then this many times,
/// the variants taking turns; the median run is shown with its spread.
const ROUNDS: usize = 5;

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

/// One timed variant: its name, pool size, times, additions and result.
struct Row {
    name: &'static str,
    threads: usize,
    time: Summary,
    additions: Option<usize>,
    result: Vec<u64>,
}

/// What a variant does to its copy of the numbers, in place, returning the
/// additions it made (`None` for a sort).
type Work<'a> = Box<dyn Fn(&mut Vec<u64>) -> Option<usize> + Sync + 'a>;

/// A table's row to measure: its name, the pool it runs in and its work.
type Variant<'a> = (&'static str, &'a ThreadPool, Work<'a>);

/// A scan as a variant, counting its additions.
fn scanning<'a>(scan: impl Fn(&mut Vec<u64>) -> usize + Sync + 'a) -> Work<'a> {
    Box::new(move |data| Some(scan(data)))
}

/// A sort as a variant: it makes no additions.
fn sorting<'a>(sort: impl Fn(&mut Vec<u64>) + Sync + 'a) -> Work<'a> {
    Box::new(move |data| {
        sort(data);
        None
    })
}

/// Runs every variant `(name, pool, work)` `ROUNDS` times, taking turns, each
/// time on a fresh copy of `data` made outside the timed region.
fn measure(data: &[u64], variants: Vec<Variant>) -> Vec<Row> {
    let mut runs: Vec<_> = variants
        .iter()
        .map(|(_, pool, work)| {
            move |mut copy: Vec<u64>| {
                let additions = pool.install(|| work(&mut copy));
                (additions, copy)
            }
        })
        .collect();
    let measured = interleaved_batched(ROUNDS, || data.to_vec(), &mut runs);
    variants
        .iter()
        .zip(measured)
        .map(|((name, pool, _), (time, (additions, result)))| Row {
            name,
            threads: pool.current_num_threads(),
            time,
            additions,
            result,
        })
        .collect()
}

// ANCHOR: main
fn main() -> ExitCode {
    let args = Args::parse();
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let threads = args.threads.map_or(cores, usize::from);
    let (one, many) = (pool_of(1), pool_of(threads));
    let machine = Machine::now();
    let data = input(args.size as usize);

    let scans = measure(
        &data,
        vec![
            ("sequential scan", &one, scanning(|d| scan_sequential(d))),
            ("naive scan", &one, scanning(scan_naive)),
            ("naive scan", &many, scanning(scan_naive)),
            (
                "work-efficient scan",
                &one,
                scanning(|d| scan_blocked(d, threads)),
            ),
            (
                "work-efficient scan",
                &many,
                scanning(|d| scan_blocked(d, threads)),
            ),
        ],
    );
    // Each parallel sort is compared with its sequential counterpart.
    let sorts = measure(
        &data,
        vec![
            ("sort_unstable", &one, sorting(|d| d.sort_unstable())),
            (
                "par_sort_unstable",
                &many,
                sorting(|d| d.par_sort_unstable()),
            ),
            ("sort (stable)", &one, sorting(|d| d.sort())),
            ("par_sort (stable)", &many, sorting(|d| d.par_sort())),
        ],
    );

    println!("{}", machine.header());
    println!(
        "{} numbers; 1 thread vs {threads} ({cores} cores)",
        data.len()
    );
    println!(
        "{ROUNDS} rounds, each table's variants in turn; median (fastest – slowest)\n"
    );
    print_table("prefix sums", &scans, data.len(), |_| 0);
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
        "adds/elem",
    ];
    println!("{a:<19} {b:>7} {c:>28} {d:>8} {e:>10} {f:>9}");
    for row in rows {
        // The sequential row this one is measured against.
        let baseline = &rows[baseline(row.name)];
        let (base, this) = (baseline.time.median(), row.time.median());
        let time = row.time.display();
        let speedup = format_speedup(base, this);
        let ratio = base.as_secs_f64() / this.as_secs_f64();
        let efficiency = 100.0 * ratio / row.threads as f64;
        let work = row.additions.map_or("-".into(), |a| {
            format!("{:.2}", a as f64 / len.max(1) as f64)
        });
        let (name, threads) = (&row.name, row.threads);
        println!(
            "{name:<19} {threads:>7} {time:>28} {speedup:>8} {efficiency:>9.0}% {work:>9}"
        );
    }
    println!();
}
