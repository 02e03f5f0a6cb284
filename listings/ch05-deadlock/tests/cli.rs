//! The program as a reader runs it: the deadlock is reported, the fix works,
//! bad arguments get usage.

use std::time::Duration;

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};
use book_helpers::finishes_within;

const BINARY: &str = env!("CARGO_BIN_EXE_ch05-deadlock");

/// Every run of this listing ends well within this.
const LIMIT: Duration = Duration::from_secs(60);

fn run(args: &[&str]) -> Ran {
    cli::run_within(LIMIT, BINARY, args)
}

#[test]
fn help_names_every_option() {
    finishes_within(LIMIT, || {
        assert_help_mentions(BINARY, &["--pause-ms", "--timeout-ms"]);
    });
}

#[test]
fn the_run_reports_the_deadlock_then_the_fix_and_exits() {
    let ran = run(&["--pause-ms", "100", "--timeout-ms", "400"]);
    assert!(ran.succeeded(), "the deadlocked threads do not keep it");
    let stdout = &ran.stdout;
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].contains("argument order") && lines[0].contains("deadlock")
    );
    assert!(lines[1].contains("id order") && lines[1].contains("total 200"));
}

#[test]
fn bad_arguments_get_usage_and_exit_two() {
    for args in [
        &["--pause-ms", "1001"][..],
        &["--timeout-ms", "5"],
        &["--timeout-ms", "soon"],
        &["--what"],
    ] {
        finishes_within(LIMIT, move || assert_refused(BINARY, &[args]));
    }
}
