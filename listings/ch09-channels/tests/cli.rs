//! The program as a reader runs it.

use book_helpers::cli::{assert_help_mentions, assert_refused, run};

const BINARY: &str = env!("CARGO_BIN_EXE_ch09-channels");

#[test]
fn a_small_run_checks_every_part() {
    let ran = run(
        BINARY,
        &["--primes", "30", "--workers", "3", "--messages", "5000"],
    );
    assert!(ran.succeeded(), "{}", ran.stderr);
    assert!(
        ran.stdout.contains("30 stages found 30 primes"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout
            .contains("[101, 103, 107, 109, 113]; all prime: true")
    );
    assert!(ran.stdout.contains("answered once and right: true"));
    for name in ["std mpsc::channel ", "crossbeam bounded "] {
        assert_eq!(ran.rows_starting_with(name).len(), 2, "{}", ran.stdout);
    }
}

#[test]
fn help_and_bad_arguments() {
    assert_help_mentions(BINARY, &["--primes", "--workers", "--messages"]);
    assert_refused(
        BINARY,
        &[
            &["--primes", "0"],
            &["--primes", "2001"],
            &["--workers", "0"],
            &["--messages", "999"],
            &["--messages", "lots"],
            &["--what"],
        ],
    );
}
