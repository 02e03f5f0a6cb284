//! The program as a reader runs it: help, bad arguments, exact results with
//! and without a crash, on few and many workers.

mod common;

use std::time::Duration;

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};
use book_helpers::finishes_within;
use common::{BINARY, expected_primes};

/// Every run of this listing ends well within this.
const LIMIT: Duration = Duration::from_secs(60);

fn run(args: &[&str]) -> Ran {
    cli::run_within(LIMIT, BINARY, args)
}

#[test]
fn help_explains_the_program() {
    finishes_within(LIMIT, || {
        assert_help_mentions(
            BINARY,
            &[
                "--workers",
                "--jobs",
                "--job-size",
                "--crash-job",
                "--hang-job",
                "--deadline-ms",
            ],
        );
    });
    let help = run(&["--help"]).stdout;
    assert!(!help.contains("worker  "), "the worker role stays hidden");
}

#[test]
fn bad_arguments_get_usage_and_exit_two() {
    for args in [
        &["--workers", "0"][..],
        &["--workers", "33"],
        &["--jobs", "0"],
        &["--job-size", "99"],
        &["--jobs", "10", "--crash-job", "10"],
        &["--jobs", "10", "--hang-job", "10"],
        &["--deadline-ms", "0"],
        &["--what"],
    ] {
        finishes_within(LIMIT, move || assert_refused(BINARY, &[args]));
    }
}

#[test]
fn the_comparison_agrees_every_way() {
    let ran = run(&["--workers", "3", "--jobs", "12", "--job-size", "2000"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let expected = expected_primes(12, 2000);
    // Two tables, big jobs and small jobs: every row finds every prime.
    for way in ["one loop ", "threads ", "processes "] {
        let rows = ran.rows_starting_with(way);
        assert_eq!(rows.len(), 2, "{}", ran.stdout);
        for row in rows {
            let primes = row.trim_start_matches(way).split_whitespace().next();
            assert_eq!(primes, Some(expected.to_string().as_str()), "{row}");
        }
    }
    let stdout = &ran.stdout;
    assert!(stdout.contains("240 jobs of 100 numbers:"), "{stdout}");
    assert!(stdout.contains("children left: 0"), "{stdout}");
}

#[test]
fn a_crashed_job_is_run_again_and_the_result_is_exact_stress() {
    // Varied pools and crash positions: every run finds every prime once.
    for run_number in 0..100_u32 {
        let workers = (run_number % 4 + 1).to_string();
        let crash = (run_number * 7 % 20).to_string();
        let ran = run(&[
            "--processes-only",
            "--workers",
            &workers,
            "--jobs",
            "20",
            "--job-size",
            "500",
            "--crash-job",
            &crash,
        ]);
        let (stdout, stderr) = (&ran.stdout, &ran.stderr);
        assert_eq!(ran.code, Some(0), "{stderr}");
        let expected = expected_primes(20, 500);
        let line = format!(
            "primes: {expected} (20 of 20 jobs, each answered once: true)"
        );
        assert!(stdout.contains(&line), "{stdout}");
        assert!(stdout.contains("re-run after a worker died: 1"), "{stdout}");
        assert!(stdout.contains("children left: 0"), "{stdout}");
        let death = format!("failed during job {crash} ");
        assert!(stderr.contains(&death), "{stderr}");
        assert!(stderr.contains("SIGKILL"), "{stderr}");
    }
}

#[test]
fn a_hung_worker_is_killed_at_the_deadline_and_its_job_run_again() {
    let ran = run(&[
        "--processes-only",
        "--workers",
        "2",
        "--jobs",
        "10",
        "--job-size",
        "500",
        "--hang-job",
        "3",
        "--deadline-ms",
        "300",
    ]);
    let (stdout, stderr) = (&ran.stdout, &ran.stderr);
    assert_eq!(ran.code, Some(0), "{stderr}");
    let expected = expected_primes(10, 500);
    let line =
        format!("primes: {expected} (10 of 10 jobs, each answered once: true)");
    assert!(stdout.contains(&line), "{stdout}");
    assert!(stdout.contains("re-run after a worker died: 1"), "{stdout}");
    assert!(stdout.contains("children left: 0"), "{stdout}");
    assert!(stderr.contains("failed during job 3 "), "{stderr}");
    assert!(stderr.contains("no answer within 300ms"), "{stderr}");
}
