//! Strong and weak scaling of a job with a serial fraction, measured on
//! 1..N threads and compared with Amdahl's and Gustafson's laws.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use book_helpers::measure::{Machine, Summary, interleaved_infallible};
use book_helpers::{cli, format_duration, format_speedup};
use ch20_amdahl_gustafson::{
    Job, Point, amdahl, gustafson, machine, plot, unit,
};
use clap::Parser;
use rayon::{ThreadPool, ThreadPoolBuilder};

/// Rounds per comparison, after one warm-up run of each variant; the
/// variants take turns round by round and the median counts.
const ROUNDS: usize = 5;

/// Units timed together to measure what one costs.
const UNITS_TIMED: u64 = 200;

/// Runs a job with a serial part and a parallel part on pools of 1 to N
/// threads, with a fixed size and with a size that grows with the threads,
/// and prints the speedups next to what Amdahl's and Gustafson's laws say.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Units of work in the job on one thread (10 to 1000000); the run
    /// measures and prints what one unit costs.
    #[arg(long, default_value_t = 4000,
          value_parser = clap::value_parser!(u64).range(10..=1_000_000))]
    size: u64,

    /// The largest pool (1 to 256); defaults to twice the number of cores,
    /// to show what threads beyond the cores do.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,

    /// The fraction of the one-thread job that must run serially (0 to 1).
    #[arg(long, default_value_t = 0.1, value_parser = fraction)]
    serial: f64,

    /// Write the measurements (scaling.csv) and the plot (scaling.svg) here.
    #[arg(long, env = "BOOK_OUTPUT_DIR", value_name = "DIR")]
    plot: Option<PathBuf>,
}

fn fraction(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if (0.0..=1.0).contains(&value) => Ok(value),
        _ => Err(format!("`{text}` is not a number from 0 to 1")),
    }
}

/// One line of a table: threads, the job, its times and the law's speedup.
struct Row {
    threads: usize,
    job: Job,
    one_thread: Duration,
    rounds: Summary,
    time: Duration,
    law: f64,
}

impl Row {
    fn point(&self) -> Point {
        let speedup = self.one_thread.as_secs_f64() / self.time.as_secs_f64();
        Point {
            threads: self.threads,
            speedup,
        }
    }
}

// ANCHOR: main
fn main() -> ExitCode {
    let args = Args::parse();
    let measured_on = Machine::now();
    let max_threads = args.threads.map_or(2 * measured_on.cores, usize::from);
    let (size, s) = (args.size as usize, args.serial);
    let pools: Vec<ThreadPool> = (1..=max_threads).map(pool_of).collect();
    let machine = machine(measured_on.cores);

    // What one unit costs, measured rather than assumed.
    let mut units = [|| (0..UNITS_TIMED).map(unit).fold(0, |a, b| a ^ b)];
    let (unit_rounds, _) = &interleaved_infallible(ROUNDS, &mut units)[0];

    // Strong scaling: one job, every pool in turn; the one-thread time is
    // row 1's.
    let job = Job::strong(size, s);
    let mut on_each_pool: Vec<_> =
        pools.iter().map(|pool| move || job.run(pool)).collect();
    let runs = interleaved_infallible(ROUNDS, &mut on_each_pool);
    let answer = runs[0].1;
    let one_thread = runs[0].0.median();
    let mut agree = runs.iter().all(|(_, got)| *got == answer);
    let strong: Vec<Row> = (1..=max_threads)
        .zip(runs)
        .map(|(threads, (rounds, _))| Row {
            threads,
            job,
            one_thread,
            time: rounds.median(),
            rounds,
            law: amdahl(s, threads as f64),
        })
        .collect();

    // Weak scaling: the parallel part grows with the threads; each grown
    // job is also timed on one thread, in turn with the pool, and that is
    // what its speedup is over.
    let weak: Vec<Row> = (1..=max_threads)
        .map(|threads| {
            let job = Job::weak(size, s, threads);
            let mut both = [&pools[0], &pools[threads - 1]]
                .map(|pool| move || job.run(pool));
            let mut both = interleaved_infallible(ROUNDS, &mut both);
            let (rounds, got) = both.pop().expect("the pool's run");
            let (alone, expected) = both.pop().expect("one thread's run");
            agree &= got == expected;
            Row {
                threads,
                job,
                one_thread: alone.median(),
                time: rounds.median(),
                rounds,
                law: gustafson(s, threads as f64),
            }
        })
        .collect();

    println!("{}", measured_on.header());
    println!(
        "one unit: {} per unit (median, fastest – slowest of {ROUNDS} rounds \
         of {UNITS_TIMED} units: {})",
        format_duration(unit_rounds.median() / UNITS_TIMED as u32),
        unit_rounds.display()
    );
    println!(
        "serial fraction {s}; {size} units on one thread; {ROUNDS} rounds, \
         the pools in turn; median (fastest – slowest)\n"
    );
    print_table("fixed job (strong scaling)", "Amdahl", &strong);
    print_table("job grows with threads (weak scaling)", "Gustafson", &weak);
    println!("same checksum on every pool: {agree}");
    let saved = match &args.plot {
        Some(dir) => save(dir, s, &strong, &weak, &machine),
        None => Ok(()),
    };
    cli::exit_code(saved)
}
// ANCHOR_END: main

fn pool_of(threads: usize) -> ThreadPool {
    ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("the system can start the pool's threads")
}

fn print_table(title: &str, law_name: &str, rows: &[Row]) {
    println!("{title}");
    let [a, b, c, d, e, f, g] = [
        "threads",
        "units",
        "1 thread",
        "time",
        "speedup",
        "efficiency",
        law_name,
    ];
    println!("{a:>7} {b:>7} {c:>9} {d:>28} {e:>8} {f:>10} {g:>9}");
    for row in rows {
        let units = row.job.serial + row.job.parallel;
        let one = format_duration(row.one_thread);
        let time = row.rounds.display();
        let speedup = format_speedup(row.one_thread, row.time);
        let efficiency = 100.0 * row.point().speedup / row.threads as f64;
        let law = format!("{:.2}×", row.law);
        let threads = row.threads;
        println!(
            "{threads:>7} {units:>7} {one:>9} {time:>28} {speedup:>8} \
             {efficiency:>9.0}% {law:>9}"
        );
    }
    println!();
}

/// Writes the measurements as CSV and draws the plot; a folder that cannot
/// be written is an error the reader must see.
fn save(
    dir: &Path,
    s: f64,
    strong: &[Row],
    weak: &[Row],
    machine: &str,
) -> Result<(), String> {
    let result = (|| -> Result<(), Box<dyn std::error::Error>> {
        let mut csv = std::fs::File::create(dir.join("scaling.csv"))?;
        writeln!(csv, "# {machine}; serial fraction {s}")?;
        writeln!(csv, "scaling,threads,units,seconds,speedup,law")?;
        for (name, rows) in [("strong", strong), ("weak", weak)] {
            for row in rows {
                let units = row.job.serial + row.job.parallel;
                let (threads, secs) = (row.threads, row.time.as_secs_f64());
                let (speedup, law) = (row.point().speedup, row.law);
                writeln!(
                    csv,
                    "{name},{threads},{units},{secs:.6},{speedup:.3},{law:.3}"
                )?;
            }
        }
        let points = |rows: &[Row]| rows.iter().map(Row::point).collect();
        let (strong, weak): (Vec<_>, Vec<_>) = (points(strong), points(weak));
        plot::draw(&dir.join("scaling.svg"), s, &strong, &weak, machine)
    })();
    result.map_err(|error| {
        format!("cannot write the plot into {}: {error}", dir.display())
    })?;
    println!("written: scaling.csv, scaling.svg");
    Ok(())
}
