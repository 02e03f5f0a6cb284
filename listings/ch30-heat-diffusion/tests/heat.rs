//! The solver on 1, 2, 3 and 4 ranks, started by `mpirun` directly and through
//! the program's own scaling table: the gathered grid equals the sequential
//! one cell for cell, and the total heat agrees within the rounding bound.
//! This file also checks what the book's output must show (its times vary).

use book_helpers::cli::{self, Ran};
use ch30_mpi_basics::{Waiting, mpirun, one_job_at_a_time};

const BINARY: &str = env!("CARGO_BIN_EXE_ch30-heat-diffusion");

/// Rank 0's `key=value` report, as numbers.
fn field(report: &str, key: &str) -> f64 {
    let value = report
        .split_whitespace()
        .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {key} in {report:?}"));
    value
        .parse()
        .unwrap_or_else(|_| panic!("{key}={value} is not a number"))
}

fn job(ranks: usize, waiting: Waiting, size: u32, steps: u32) -> Ran {
    let args = [
        "--size".to_string(),
        size.to_string(),
        "--steps".to_string(),
        steps.to_string(),
        // Every round starts from a fresh grid: the same result each time.
        "--rounds".to_string(),
        "2".to_string(),
    ];
    let _one = one_job_at_a_time();
    let ran = cli::run_command(mpirun(ranks, waiting, BINARY, &args));
    assert!(
        ran.succeeded(),
        "mpirun -n {ranks} failed (is Open MPI installed? `cargo xtask setup`):\n{}",
        ran.stderr
    );
    ran
}

#[test]
fn the_grid_matches_the_sequential_run_on_1_2_3_and_4_ranks() {
    // 37 rows do not divide evenly by 2, 3 or 4: blocks of unequal size.
    for ranks in [1, 2, 3, 4] {
        let ran = job(ranks, Waiting::Yield, 37, 60);
        let reports = ran.rows_starting_with("ranks=");
        assert_eq!(reports.len(), 1, "only rank 0 reports:\n{}", ran.stdout);
        let report = reports[0];
        assert_eq!(field(report, "ranks"), ranks as f64);
        assert_eq!(field(report, "max_abs_diff"), 0.0, "{report}");
        assert!(
            field(report, "heat_relative_diff")
                <= field(report, "heat_tolerance"),
            "{report}"
        );
    }
}

#[test]
fn polling_ranks_get_the_same_grid_as_yielding_ones() {
    let ran = job(4, Waiting::Poll, 24, 20);
    let report = ran.rows_starting_with("ranks=")[0];
    assert_eq!(field(report, "max_abs_diff"), 0.0, "{report}");
}

#[test]
fn repeated_jobs_never_mix_up_a_halo() {
    // A halo received from the wrong step or the wrong neighbour changes the
    // grid; repeat small jobs with many steps (many exchanges) and rank counts.
    for round in 0..4 {
        for ranks in [2, 3, 4] {
            let ran = job(ranks, Waiting::Yield, 16 + round, 300);
            let report = ran.rows_starting_with("ranks=")[0];
            assert_eq!(field(report, "max_abs_diff"), 0.0, "{report}");
        }
    }
}

#[test]
fn the_scaling_table_has_one_exact_row_per_job() {
    let _one = one_job_at_a_time();
    let ran = cli::run(
        BINARY,
        &[
            "--ranks", "1,2,4", "--size", "64", "--steps", "40", "--rounds",
            "2",
        ],
    );
    assert!(ran.succeeded(), "{}", ran.stderr);
    let out = &ran.stdout;
    let mut head = out.lines().skip(1);
    assert_eq!(
        head.next(),
        Some("64×64 grid, 40 steps; one mpirun job per row"),
        "{out}"
    );
    assert_eq!(
        head.next(),
        Some(
            "2 timed rounds per job after a warm-up; median (fastest – slowest)"
        ),
        "{out}"
    );
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let rows: Vec<Vec<&str>> = out
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .filter(|words| {
            words.get(1).is_some_and(|w| *w == "poll" || *w == "yield")
        })
        .collect();
    assert_eq!(rows.len(), 6, "{out}");
    for (row, (ranks, waiting)) in rows.iter().zip(
        [1, 2, 4]
            .into_iter()
            .map(|r| (r, "poll"))
            .chain([1, 2, 4].into_iter().map(|r| (r, "yield"))),
    ) {
        assert_eq!(row[0], ranks.to_string(), "{out}");
        assert_eq!(row[1], waiting, "{out}");
        let oversubscribed = row.last() == Some(&"*");
        assert_eq!(oversubscribed, ranks > cores, "{out}");
        // The time, its spread and the speedup, then the two differences.
        let columns = &row[..row.len() - usize::from(oversubscribed)];
        let [.., speedup, cell_diff, _heat_diff] = columns else {
            panic!("a short row: {out}");
        };
        assert!(speedup.ends_with('×'), "{out}");
        assert_eq!(*cell_diff, "0", "{out}");
    }
}

#[test]
fn help_and_bad_arguments() {
    cli::assert_help_mentions(
        BINARY,
        &["--ranks", "--size", "--steps", "--rounds"],
    );
    cli::assert_refused(
        BINARY,
        &[
            &["--ranks", "0"],
            &["--ranks", "1,x"],
            &["--size", "2"],
            &["--steps", "0"],
            &["--rounds", "0"],
            &["--ranks", "8", "--size", "4"],
        ],
    );
}
