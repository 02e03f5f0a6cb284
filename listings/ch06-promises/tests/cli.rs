//! The program as a reader runs it.

use book_helpers::cli::{assert_help_mentions, assert_refused, run};

const BINARY: &str = env!("CARGO_BIN_EXE_ch06-promises");

#[test]
fn a_run_shows_kept_broken_and_pooled_promises() {
    let ran = run(BINARY, &["--threads", "3", "--tasks", "4"]);
    assert!(ran.succeeded(), "{}", ran.stderr);
    assert_eq!(ran.rows_starting_with("promise kept:    Ok(42)").len(), 1);
    assert!(
        ran.stdout
            .contains("Err(TimedOut) at first, then Err(Broken)")
    );
    assert!(
        ran.stdout
            .contains("[1, 2, 6, 24]; a panicking thread: Err(")
    );
    assert!(ran.stdout.contains("pool of 3:       Ok([0, 1, 4, 9]); a panicking task: Err(Broken); then: Ok(\"still working\")"), "{}", ran.stdout);
    // The two deliberate panics are one line each, without a backtrace.
    assert_eq!(ran.stderr.lines().count(), 2, "{}", ran.stderr);
}

#[test]
fn help_and_bad_arguments() {
    assert_help_mentions(BINARY, &["--threads", "--tasks"]);
    assert_refused(
        BINARY,
        &[
            &["--threads", "0"],
            &["--tasks", "0"],
            &["--tasks", "10001"],
            &["--threads", "two"],
            &["--what"],
        ],
    );
}
