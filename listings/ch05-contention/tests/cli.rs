//! The program as a reader runs it: help, a small run with every row, and
//! arguments it must refuse.

use std::time::Duration;

use book_helpers::cli::{self, assert_help_mentions, assert_refused};
use book_helpers::finishes_within;

const BINARY: &str = env!("CARGO_BIN_EXE_ch05-contention");

/// Every run of this listing ends well within this.
const LIMIT: Duration = Duration::from_secs(120);

#[test]
fn help_explains_the_program_and_exits_zero() {
    finishes_within(LIMIT, || {
        assert_help_mentions(BINARY, &["--increments", "--readers", "RwLock"]);
    });
}

#[test]
fn a_small_run_prints_every_counter_at_every_thread_count() {
    let ran = cli::run_within(LIMIT, BINARY, &["--increments", "1000"]);
    assert!(ran.succeeded(), "{}", ran.stderr);
    assert!(ran.stdout.starts_with("machine: "), "{}", ran.stdout);
    for counter in ["std Mutex", "parking_lot Mutex", "AtomicU64", "sharded"] {
        let rows = ran.rows_starting_with(counter);
        assert!(rows.len() >= 4, "{counter}: {rows:?}");
    }
    for lock in ["std RwLock", "parking_lot RwLock", "readers-first RwLock"] {
        assert_eq!(ran.rows_starting_with(lock).len(), 1, "{}", ran.stdout);
    }
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    for args in [
        &["--increments", "999"][..],
        &["--increments", "many"],
        &["--readers", "0"],
        &["--readers", "17"],
        &["--threads", "2"],
    ] {
        finishes_within(LIMIT, move || assert_refused(BINARY, &[args]));
    }
}
