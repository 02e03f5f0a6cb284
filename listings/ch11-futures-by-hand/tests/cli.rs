//! The program as a reader runs it: help, a run that tells the whole story,
//! and arguments it must refuse.

use std::time::Duration;

use book_helpers::cli::{self, assert_help_mentions, assert_refused};
use book_helpers::finishes_within;

const BINARY: &str = env!("CARGO_BIN_EXE_ch11-futures-by-hand");

/// Every run of this listing ends well within this.
const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn help_explains_the_program_and_exits_zero() {
    finishes_within(LIMIT, || {
        assert_help_mentions(BINARY, &["--in-flight", "buffer_unordered"]);
    });
}

#[test]
fn a_run_shows_each_poll_and_who_woke_whom() {
    let ran = cli::run_within(LIMIT, BINARY, &["--in-flight", "3"]);
    assert!(ran.succeeded(), "{}", ran.stderr);
    let stdout = &ran.stdout;
    for line in [
        "[main] poll 1 of 'receiver': Pending",
        "[sender] wake: unpark thread 'main'",
        "[main] poll 2 of 'receiver': Ready(42)",
        "[timer 30 ms] wake: queue task 'fast'",
        "all three done after 7 polls",
        "poll: Ready((10, true))",
        "at most 3 under way",
    ] {
        assert!(stdout.contains(line), "no {line:?} in\n{stdout}");
    }
    // Who wakes comes before the poll it causes.
    let wake = stdout.find("[sender] wake").expect("a wake line");
    let ready = stdout.find("Ready(42)").expect("a ready line");
    assert!(wake < ready, "{stdout}");
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    for args in [
        &["--in-flight", "0"][..],
        &["--in-flight", "6"],
        &["--in-flight", "many"],
        &["--jobs", "3"],
    ] {
        finishes_within(LIMIT, move || assert_refused(BINARY, &[args]));
    }
}
