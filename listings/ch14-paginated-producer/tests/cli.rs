//! The program as a reader runs it: help, a run, and arguments it must refuse.

use std::time::Duration;

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};
use book_helpers::finishes_within;

const BINARY: &str = env!("CARGO_BIN_EXE_ch14-paginated-producer");

/// Every run of this listing ends well within this.
const LIMIT: Duration = Duration::from_secs(60);

fn run(args: &[&str]) -> Ran {
    cli::run_within(LIMIT, BINARY, args)
}

#[test]
fn help_explains_the_program_and_exits_zero() {
    finishes_within(LIMIT, || {
        assert_help_mentions(BINARY, &["--take"]);
    });
}

#[test]
fn the_lazy_producers_fetch_only_what_was_taken() {
    let ran = run(&["--take", "12"]);
    assert!(ran.succeeded(), "{}", ran.stderr);
    let stdout = &ran.stdout;
    assert!(
        stdout.contains("same items all three ways: true"),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("hand-written Stream      items 0 1 2 3 4 5 6 7 8 9 10 11  pages fetched: 3"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "with yield   items 0 1 2 3 4 5 6 7 8 9 10 11  pages fetched: 3"
        ),
        "{stdout}"
    );
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    for args in [
        &["--take", "0"][..],
        &["--take", "51"],
        &["--take", "x"],
        &["--pages"],
    ] {
        finishes_within(LIMIT, move || assert_refused(BINARY, &[args]));
    }
}
