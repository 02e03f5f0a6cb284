//! The program as a reader runs it: help, a normal run, and arguments it must
//! refuse.

use book_helpers::cli::{self, Ran};

const BINARY: &str = env!("CARGO_BIN_EXE_ch01-waiting-drivers");

fn run(args: &[&str]) -> Ran {
    cli::run(BINARY, args)
}

#[test]
fn help_explains_the_program_and_exits_zero() {
    cli::assert_help_mentions(BINARY, &["--events", "drivers"]);
}

#[test]
fn a_run_reports_every_driver_once_and_the_same_results() {
    let output = run(&["--events", "1"]);
    assert!(output.succeeded(), "{}", output.stderr);
    let stdout = &output.stdout;
    for line in ["network   packet 1", "display   frame 1", "keyboard  key 1"] {
        assert_eq!(
            stdout.lines().filter(|l| *l == line).count(),
            1,
            "{stdout}"
        );
    }
    assert!(stdout.contains("(the waits add up to 100 ms)"), "{stdout}");
    assert!(stdout.contains("(the longest driver: 50.0 ms)"), "{stdout}");
    assert!(stdout.contains("same results both ways: true"), "{stdout}");
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    cli::assert_refused(
        BINARY,
        &[
            &["--events", "0"],
            &["--events", "101"],
            &["--events", "many"],
            &["--events"],
            &["--speed", "3"],
        ],
    );
}
