//! The program as a reader runs it: help, a small run, and arguments it must
//! refuse.

use std::time::Duration;

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};
use book_helpers::finishes_within;

const BINARY: &str = env!("CARGO_BIN_EXE_ch11-blocking-the-runtime");

/// Every run of this listing ends well within this.
const LIMIT: Duration = Duration::from_secs(60);

fn run(args: &[&str]) -> Ran {
    cli::run_within(LIMIT, BINARY, args)
}

#[test]
fn help_explains_the_program_and_exits_zero() {
    finishes_within(LIMIT, || {
        assert_help_mentions(BINARY, &["--pieces", "heartbeat"]);
    });
}

#[test]
fn a_run_reports_all_four_ways_of_waiting() {
    let ran = run(&["--pieces", "1"]);
    assert!(ran.succeeded(), "{}", ran.stderr);
    let stdout = &ran.stdout;
    assert_eq!(stdout.matches("current-thread").count(), 3, "{stdout}");
    assert_eq!(stdout.matches("multi-thread (2)").count(), 1, "{stdout}");
    assert!(
        stdout.contains("spawn_blocking(std::thread::sleep)"),
        "{stdout}"
    );
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    for args in [
        &["--pieces", "0"][..],
        &["--pieces", "101"],
        &["--pieces", "some"],
        &["--period", "3"],
    ] {
        finishes_within(LIMIT, move || assert_refused(BINARY, &[args]));
    }
}
