//! The program as a reader runs it: help, a small run, and arguments it must
//! refuse.

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};

const BINARY: &str = env!("CARGO_BIN_EXE_ch11-one-program-two-runtimes");

fn run(args: &[&str]) -> Ran {
    cli::run(BINARY, args)
}

#[test]
fn help_explains_the_program_and_exits_zero() {
    assert_help_mentions(BINARY, &["--jobs", "--workers", "runtime"]);
}

#[test]
fn both_runtimes_agree_with_the_plain_loop_for_both_kinds_of_work() {
    let ran = run(&["--jobs", "8", "--workers", "3"]);
    assert!(ran.succeeded(), "{}", ran.stderr);
    let stdout = &ran.stdout;
    // 0² + 1² + … + 7² = 140.
    assert_eq!(stdout.matches("total 140\n").count(), 2, "{stdout}");
    assert_eq!(
        stdout.matches("same total as a plain loop: true").count(),
        2,
        "{stdout}"
    );
    assert!(
        stdout.contains("multi-thread runtime, 3 workers:"),
        "{stdout}"
    );
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    assert_refused(
        BINARY,
        &[
            &["--jobs", "0"],
            &["--jobs", "10001"],
            &["--workers", "0"],
            &["--workers", "lots"],
            &["--jobs"],
            &["--threads", "2"],
        ],
    );
}
