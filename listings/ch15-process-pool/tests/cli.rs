//! The program as a reader runs it: help, bad arguments, exact results with
//! and without a crash, on few and many workers.

mod common;

use std::process::Command;
use std::time::Duration;

use book_helpers::finishes_within;
use common::{BINARY, expected_primes};

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let args: Vec<String> = args.iter().map(ToString::to_string).collect();
    finishes_within(Duration::from_secs(60), move || {
        let output = Command::new(BINARY)
            .args(&args)
            .output()
            .expect("it starts");
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        (
            output.status.code(),
            text(&output.stdout),
            text(&output.stderr),
        )
    })
}

#[test]
fn help_explains_the_program() {
    let (code, help, _) = run(&["--help"]);
    assert_eq!(code, Some(0));
    for flag in ["--workers", "--jobs", "--job-size", "--crash-job"] {
        assert!(help.contains(flag), "{help}");
    }
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
        &["--what"],
    ] {
        let (code, stdout, stderr) = run(args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("error:"), "{stderr}");
        assert!(
            stderr.contains("Usage:") || stderr.contains("--help"),
            "{stderr}"
        );
        assert!(!stdout.contains("primes:"));
    }
}

#[test]
fn the_comparison_agrees_every_way() {
    let (code, stdout, stderr) =
        run(&["--workers", "3", "--jobs", "12", "--job-size", "2000"]);
    assert_eq!(code, Some(0), "{stderr}");
    let expected = expected_primes(12, 2000);
    // Two tables, big jobs and small jobs: every row finds every prime.
    for way in ["one loop ", "threads ", "processes "] {
        let rows: Vec<&str> =
            stdout.lines().filter(|l| l.starts_with(way)).collect();
        assert_eq!(rows.len(), 2, "{stdout}");
        for row in rows {
            let primes = row.trim_start_matches(way).split_whitespace().next();
            assert_eq!(primes, Some(expected.to_string().as_str()), "{row}");
        }
    }
    assert!(stdout.contains("240 jobs of 100 numbers:"), "{stdout}");
    assert!(stdout.contains("children left: 0"), "{stdout}");
}

#[test]
fn a_crashed_job_is_run_again_and_the_result_is_exact_stress() {
    // Varied pools and crash positions: every run finds every prime once.
    for run_number in 0..100_u32 {
        let workers = (run_number % 4 + 1).to_string();
        let crash = (run_number * 7 % 20).to_string();
        let (code, stdout, stderr) = run(&[
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
        assert_eq!(code, Some(0), "{stderr}");
        let expected = expected_primes(20, 500);
        let line = format!(
            "primes: {expected} (20 of 20 jobs, each answered once: true)"
        );
        assert!(stdout.contains(&line), "{stdout}");
        assert!(stdout.contains("re-run after a worker died: 1"), "{stdout}");
        assert!(stdout.contains("children left: 0"), "{stdout}");
        let death = format!("died during job {crash} ");
        assert!(stderr.contains(&death), "{stderr}");
        assert!(stderr.contains("SIGKILL"), "{stderr}");
    }
}
