//! The program as a reader runs it: help, a small run, and arguments it must
//! refuse.

use std::time::Duration;

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};
use book_helpers::finishes_within;

const BINARY: &str = env!("CARGO_BIN_EXE_ch10-event-loop");

/// Every run of this listing ends well within this.
const LIMIT: Duration = Duration::from_secs(60);

fn run(args: &[&str]) -> Ran {
    cli::run_within(LIMIT, BINARY, args)
}

#[test]
fn help_explains_the_program_and_exits_zero() {
    finishes_within(LIMIT, || {
        assert_help_mentions(
            BINARY,
            &["--clients", "--messages", "event loop"],
        );
    });
}

#[test]
fn both_servers_echo_every_line_and_close_both_silent_clients() {
    let ran = run(&["--clients", "5", "--messages", "10"]);
    assert!(ran.succeeded(), "{}", ran.stderr);
    let stdout = &ran.stdout;
    for line in [
        "connections served:    7",
        "lines echoed intact:   50 of 50",
        "silent clients closed: 2 of 2",
    ] {
        assert_eq!(stdout.matches(line).count(), 2, "{line}: {stdout}");
    }
    // The address is printed, on stderr, and it is a loopback one.
    let stderr = &ran.stderr;
    assert_eq!(
        stderr.matches("listening on 127.0.0.1:").count(),
        2,
        "{stderr}"
    );
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    for args in [
        &["--clients", "0"][..],
        &["--clients", "501"],
        &["--messages", "0"],
        &["--messages", "x"],
        &["--port", "80"],
    ] {
        finishes_within(LIMIT, move || assert_refused(BINARY, &[args]));
    }
}
