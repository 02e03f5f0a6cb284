//! The program as a reader runs it: help, a run, bad arguments.

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};

const BINARY: &str = env!("CARGO_BIN_EXE_ch05-threads-and-locks");

fn run(args: &[&str]) -> Ran {
    cli::run(BINARY, args)
}

#[test]
fn help_names_every_option() {
    assert_help_mentions(BINARY, &["--threads", "--items", "--capacity"]);
}

#[test]
fn a_small_run_reports_every_result_as_correct() {
    let ran = run(&["--threads", "3", "--items", "500", "--capacity", "2"]);
    assert!(ran.succeeded());
    let stdout = &ran.stdout;
    assert!(stdout.contains("= 500000500000 (one loop: 500000500000)"));
    assert!(
        stdout.contains("3 × 100000 increments = 300000"),
        "{stdout}"
    );
    assert!(stdout.contains("versions in order: true"), "{stdout}");
    assert!(
        stdout.contains("500 items sent, 500 received, 500 distinct"),
        "{stdout}"
    );
    assert!(stdout.contains("never more than 2 held: true"), "{stdout}");
    assert!(stdout.contains("the total [6, 6, 6]"), "{stdout}");
}

#[test]
fn bad_arguments_get_usage_and_exit_two() {
    assert_refused(
        BINARY,
        &[
            &["--threads", "1"],
            &["--threads", "65"],
            &["--items", "0"],
            &["--capacity", "0"],
            &["--capacity", "lots"],
            &["--what"],
        ],
    );
}
