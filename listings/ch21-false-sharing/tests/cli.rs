//! The program as a reader runs it: help, bad arguments, both tables; and
//! the invariants of the `output.txt` the book shows, whose times vary.

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};

const BINARY: &str = env!("CARGO_BIN_EXE_ch21-false-sharing");

fn run(args: &[&str]) -> Ran {
    cli::run(BINARY, args)
}

/// The measurement protocol's header, and every row exact with its median
/// and the spread of its rounds.
fn check_tables(stdout: &str) {
    let headers = stdout.lines().filter(|l| l.starts_with("machine: "));
    assert_eq!(headers.count(), 1, "one machine header: {stdout}");
    assert!(stdout.contains("median (fastest – slowest)"), "{stdout}");
    for row in [
        "one counter, one thread",
        "packed in one cache line",
        "CachePadded, one line each",
        "one loop",
        "tasks of 1 element",
        "tasks of 64 elements",
        "rayon's own splitting",
    ] {
        let line = stdout.lines().find(|l| l.starts_with(row));
        let line = line.unwrap_or_else(|| panic!("no row {row}: {stdout}"));
        assert!(line.ends_with(" true"), "every count and sum exact: {line}");
        assert_eq!(line.matches('%').count(), 1, "an efficiency: {line}");
        assert!(line.contains(" – "), "the rounds' spread: {line}");
    }
}

#[test]
fn help_explains_the_program() {
    assert_help_mentions(BINARY, &["--size", "--threads"]);
}

#[test]
fn a_run_prints_both_tables_with_exact_counts() {
    let ran = run(&["--size", "20000", "--threads", "3"]);
    assert!(ran.succeeded(), "{}", ran.stderr);
    check_tables(&ran.stdout);
}

#[test]
fn the_output_the_book_shows_holds_the_same_invariants() {
    let shown = include_str!("../output.txt");
    assert!(
        shown.starts_with("$ cargo run -p ch21-false-sharing -- --threads 2")
    );
    check_tables(shown);
}

#[test]
fn bad_arguments_get_an_error_and_exit_code_2() {
    assert_refused(
        BINARY,
        &[&["--size", "10"], &["--threads", "65"], &["--pad"]],
    );
}
