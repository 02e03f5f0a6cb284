//! Heat diffusion on N MPI ranks: each rank owns a block of rows, trades its
//! edge rows with its neighbours every step, and the gathered grid is compared
//! with the sequential reference.
//!
//! Started by hand, the program runs one `mpirun` job per requested rank count
//! and prints a strong-scaling table; started by `mpirun`, it is one rank.

use std::process::ExitCode;
use std::time::Duration;

use book_helpers::format_speedup;
use book_helpers::measure::{Machine, Summary};
use ch30_heat_diffusion::{
    Block, max_abs_difference, solve_sequential, sum_tolerance,
};
use ch30_mpi_basics::{Waiting, block, run_self, under_mpirun};
use clap::{CommandFactory, Parser, error::ErrorKind};
use mpi::collective::SystemOperation;
use mpi::datatype::PartitionMut;
use mpi::topology::{Process, SimpleCommunicator};
use mpi::traits::*;

/// 2-D heat diffusion with halo exchange on 1, 2, 4, … MPI ranks.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Rank counts to run, one mpirun job each (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "1,2,4",
          value_parser = clap::value_parser!(u16).range(1..=64))]
    ranks: Vec<u16>,

    /// Cells along each side of the square grid.
    #[arg(long, default_value_t = 512, value_parser = clap::value_parser!(u64).range(3..=8192))]
    size: u64,

    /// Time steps.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    steps: u64,

    /// Timed runs of the loop per job, after one untimed warm-up run; the
    /// median is reported with the fastest and the slowest.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=20))]
    rounds: u64,
}

/// What one job solves: an `n × n` grid for `steps` steps, `rounds` times
/// after a warm-up.
#[derive(Clone, Copy)]
struct Problem {
    n: usize,
    steps: usize,
    rounds: usize,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let n = args.size as usize;
    let problem = Problem {
        n,
        steps: args.steps as usize,
        rounds: args.rounds as usize,
    };
    let result = if under_mpirun() {
        one_rank(problem)
    } else {
        if let Some(&most) = args.ranks.iter().max()
            && usize::from(most) > n
        {
            Args::command()
                .error(
                    ErrorKind::ValueValidation,
                    format!("{most} ranks cannot share {n} rows: each rank needs one"),
                )
                .exit();
        }
        scaling_table(&args.ranks, problem)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// What rank 0 of one job reports, one `key=value` line that the launcher
/// reads.
struct JobReport {
    ranks: usize,
    loop_time: Summary,
    max_abs_diff: f64,
    heat_relative_diff: f64,
    heat_tolerance: f64,
}

// ANCHOR: table
/// One job per rank count, first with ranks that poll while they wait, then
/// with ranks that yield; each speedup is against the 1-rank job of its mode.
fn scaling_table(rank_counts: &[u16], problem: Problem) -> Result<(), String> {
    let Problem { n, steps, rounds } = problem;
    let machine = Machine::now();
    let mut rows = Vec::new();
    for waiting in [Waiting::Poll, Waiting::Yield] {
        let mut baseline = None;
        for &ranks in rank_counts {
            let report = run_job(usize::from(ranks), waiting, problem)?;
            let median = report.loop_time.median();
            let baseline = *baseline.get_or_insert(median);
            let shared = if report.ranks > machine.cores {
                " *"
            } else {
                ""
            };
            rows.push(format!(
                "{:>5}  {:<7}  {:>27}  {:>7}  {:>9}  {:>9}{shared}",
                report.ranks,
                waiting.name(),
                report.loop_time.display(),
                format_speedup(baseline, median),
                small(report.max_abs_diff),
                small(report.heat_relative_diff),
            ));
            if report.max_abs_diff != 0.0
                || report.heat_relative_diff > report.heat_tolerance
            {
                return Err(format!(
                    "the {ranks}-rank grid differs from the sequential one"
                ));
            }
        }
    }
    println!("{}", machine.header());
    println!("{n}×{n} grid, {steps} steps; one mpirun job per row");
    println!(
        "{rounds} timed rounds per job after a warm-up; median (fastest – slowest)"
    );
    println!("cell diff: largest |cell − sequential cell| over the grid");
    println!(
        "heat diff: |total − sequential total| / total, at most {:.1e}\n",
        sum_tolerance(n * n)
    );
    println!(
        "ranks  waiting                    loop time  speedup  cell diff  heat diff"
    );
    for row in rows {
        println!("{row}");
    }
    if rank_counts
        .iter()
        .any(|&ranks| usize::from(ranks) > machine.cores)
    {
        println!("\n* more ranks than cores: oversubscribed");
    }
    Ok(())
}
// ANCHOR_END: table

fn run_job(
    ranks: usize,
    waiting: Waiting,
    problem: Problem,
) -> Result<JobReport, String> {
    let args = [
        "--size".to_string(),
        problem.n.to_string(),
        "--steps".to_string(),
        problem.steps.to_string(),
        "--rounds".to_string(),
        problem.rounds.to_string(),
    ];
    let stdout = run_self(ranks, waiting, &args).map_err(|e| e.to_string())?;
    parse_report(&stdout).ok_or_else(|| {
        format!("rank 0 of the {ranks}-rank job printed no report:\n{stdout}")
    })
}

/// A difference as a reader wants it: `0` when there is none, else `1.2e-15`.
fn small(difference: f64) -> String {
    if difference == 0.0 {
        "0".to_string()
    } else {
        format!("{difference:.1e}")
    }
}

fn parse_report(stdout: &str) -> Option<JobReport> {
    let line = stdout.lines().find(|line| line.starts_with("ranks="))?;
    let text = |key: &str| -> Option<&str> {
        line.split_whitespace()
            .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
    };
    let field = |key: &str| -> Option<f64> { text(key)?.parse().ok() };
    let rounds: Vec<Duration> = text("seconds")?
        .split(',')
        .map(|seconds| Some(Duration::from_secs_f64(seconds.parse().ok()?)))
        .collect::<Option<_>>()?;
    Some(JobReport {
        ranks: field("ranks")? as usize,
        loop_time: (!rounds.is_empty()).then(|| Summary::of(rounds))?,
        max_abs_diff: field("max_abs_diff")?,
        heat_relative_diff: field("heat_relative_diff")?,
        heat_tolerance: field("heat_tolerance")?,
    })
}

// ANCHOR: rank
fn one_rank(Problem { n, steps, rounds }: Problem) -> Result<(), String> {
    let universe = mpi::initialize().ok_or("MPI was initialised twice")?;
    let world = universe.world();
    let (rank, size) = (world.rank() as usize, world.size() as usize);
    if size > n {
        return Err(format!("{size} ranks cannot share {n} rows"));
    }
    let (first_row, rows) = block(n, size, rank);
    let above = (rank > 0).then(|| world.process_at_rank(rank as i32 - 1));
    let below =
        (rank + 1 < size).then(|| world.process_at_rank(rank as i32 + 1));

    // Round 0 warms up (page faults, shared-memory queues) and is not timed.
    let mut seconds = Vec::with_capacity(rounds);
    let mut grid = Block::new(n, first_row, rows);
    for round in 0..=rounds {
        grid = Block::new(n, first_row, rows);
        world.barrier(); // every rank starts the clock together
        let start = mpi::time();
        for _ in 0..steps {
            exchange_halos(&mut grid, above.as_ref(), below.as_ref());
            grid.step();
        }
        world.barrier(); // and stops it when the slowest is done
        if round > 0 {
            seconds.push(format!("{:.6}", mpi::time() - start));
        }
    }
    let seconds = seconds.join(",");

    let mut heat = 0.0;
    world.all_reduce_into(&grid.heat(), &mut heat, SystemOperation::sum());
    if let Some(whole) = gather_grid(&world, &grid) {
        let reference = solve_sequential(n, steps);
        let max_abs_diff = max_abs_difference(&whole, reference.owned());
        let heat_relative_diff =
            (heat - reference.heat()).abs() / reference.heat();
        let heat_tolerance = sum_tolerance(n * n);
        println!(
            "ranks={size} seconds={seconds} \
             max_abs_diff={max_abs_diff:e} \
             heat_relative_diff={heat_relative_diff:e} \
             heat_tolerance={heat_tolerance:e}"
        );
    }
    Ok(())
}
// ANCHOR_END: rank

// ANCHOR: halo
/// Sends this block's first row up and its last row down, and receives the
/// neighbours' edge rows into the halos. All four transfers are posted at
/// once and then awaited, so no rank waits for another to be ready first.
fn exchange_halos(
    grid: &mut Block,
    above: Option<&Process<'_>>,
    below: Option<&Process<'_>>,
) {
    let edges = grid.edges();
    mpi::request::scope(|scope| {
        let mut pending = Vec::with_capacity(4);
        if let Some(above) = above {
            pending.push(above.immediate_receive_into(scope, edges.top_halo));
            pending.push(above.immediate_send(scope, edges.first_row));
        }
        if let Some(below) = below {
            pending
                .push(below.immediate_receive_into(scope, edges.bottom_halo));
            pending.push(below.immediate_send(scope, edges.last_row));
        }
        for request in pending {
            request.wait();
        }
    });
}
// ANCHOR_END: halo

/// Every rank's rows, in order, at rank 0 (`None` elsewhere).
fn gather_grid(world: &SimpleCommunicator, grid: &Block) -> Option<Vec<f64>> {
    let root = world.process_at_rank(0);
    if world.rank() != 0 {
        root.gather_varcount_into(grid.owned());
        return None;
    }
    let (n, size) = (grid.n, world.size() as usize);
    let cells = |part| block(n, size, part);
    let counts: Vec<i32> = (0..size).map(|p| (cells(p).1 * n) as i32).collect();
    let offsets: Vec<i32> =
        (0..size).map(|p| (cells(p).0 * n) as i32).collect();
    let mut whole = vec![0.0; n * n];
    let mut partition = PartitionMut::new(&mut whole[..], counts, &offsets[..]);
    root.gather_varcount_into_root(grid.owned(), &mut partition);
    Some(whole)
}
