//! The program as a reader runs it: help, a small run, and arguments it must
//! refuse.

use std::time::Duration;

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};
use book_helpers::finishes_within;

const BINARY: &str = env!("CARGO_BIN_EXE_ch12-graceful-shutdown");

/// Every run of this listing ends well within this.
const LIMIT: Duration = Duration::from_secs(60);

fn run(args: &[&str]) -> Ran {
    cli::run_within(LIMIT, BINARY, args)
}

#[test]
fn help_explains_the_program_and_exits_zero() {
    finishes_within(LIMIT, || {
        assert_help_mentions(BINARY, &["--early", "--late", "shut"]);
    });
}

#[test]
fn every_early_request_is_answered_and_every_late_one_refused() {
    let ran = run(&["--early", "7", "--late", "3", "--work-ms", "300"]);
    assert!(ran.succeeded(), "{}", ran.stderr);
    let stdout = &ran.stdout;
    assert!(stdout.contains("answered 7 of 7 accepted"), "{stdout}");
    assert!(
        stdout.contains(
            "clients: 7 answered, 3 refused after the shutdown, none lost"
        ),
        "{stdout}"
    );
    assert!(ran.stderr.contains("listening on 127.0.0.1:"));
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    for args in [
        &["--early", "0"][..],
        &["--late", "1001"],
        &["--work-ms", "0"],
        &["--early", "x"],
        &["--force"],
    ] {
        finishes_within(LIMIT, move || assert_refused(BINARY, &[args]));
    }
}
