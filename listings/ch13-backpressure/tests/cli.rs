//! The program as a reader runs it: help, a run, and arguments it must refuse.

use std::time::Duration;

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};
use book_helpers::finishes_within;

const BINARY: &str = env!("CARGO_BIN_EXE_ch13-backpressure");

/// Every run of this listing ends well within this.
const LIMIT: Duration = Duration::from_secs(60);

fn run(args: &[&str]) -> Ran {
    cli::run_within(LIMIT, BINARY, args)
}

#[test]
fn help_explains_the_program_and_exits_zero() {
    finishes_within(LIMIT, || {
        assert_help_mentions(BINARY, &["--items", "--capacity"]);
    });
}

#[test]
fn both_channels_deliver_everything_and_only_the_bounded_one_stays_small() {
    let ran = run(&["--items", "3000", "--capacity", "8"]);
    assert!(ran.succeeded(), "{}", ran.stderr);
    let stdout = &ran.stdout;
    assert_eq!(
        stdout
            .matches("records consumed, in order: 3000 (as a plain loop: true)")
            .count(),
        2,
        "{stdout}"
    );
    assert!(
        stdout.contains("most records queued at once: 3000 (3000 KiB"),
        "{stdout}"
    );
    assert!(
        stdout.contains("most records queued at once: 8 (8 KiB"),
        "{stdout}"
    );
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    for args in [
        &["--items", "0"][..],
        &["--items", "200001"],
        &["--capacity", "0"],
        &["--capacity", "x"],
        &["--rate", "1"],
    ] {
        finishes_within(LIMIT, move || assert_refused(BINARY, &[args]));
    }
}
