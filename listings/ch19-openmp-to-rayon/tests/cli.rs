//! The program as a reader runs it: help, the table, bad arguments; and the
//! invariants of the `output.txt` the book shows, whose times vary run to run.

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};
use ch19_openmp_to_rayon::ROWS;

const BINARY: &str = env!("CARGO_BIN_EXE_ch19-openmp-to-rayon");

fn run(args: &[&str]) -> Ran {
    cli::run(BINARY, args)
}

/// The measurement protocol's header; one line per construct, each saying
/// the answers agree, with its median and spread; a final yes; and the cost
/// of a join, measured.
fn check_table(stdout: &str) {
    let headers = stdout.lines().filter(|l| l.starts_with("machine: "));
    assert_eq!(headers.count(), 1, "one machine header: {stdout}");
    assert!(stdout.contains("median (fastest – slowest)"), "{stdout}");
    for row in ["an empty join", "a join per element"] {
        let line = stdout.lines().find(|l| l.starts_with(row));
        let line = line.unwrap_or_else(|| panic!("no row {row}: {stdout}"));
        assert!(line.contains(" per join"), "{line}");
    }
    for row in &ROWS {
        let lines: Vec<&str> = stdout
            .lines()
            .filter(|line| line.starts_with(row.openmp))
            .collect();
        assert_eq!(lines.len(), 1, "{}: {stdout}", row.openmp);
        assert!(lines[0].contains(row.rayon), "{stdout}");
        assert!(lines[0].ends_with(" yes"), "{stdout}");
        assert_eq!(lines[0].matches('×').count(), 1, "{stdout}");
        assert!(lines[0].contains('%'), "{stdout}");
        assert!(lines[0].contains(" – "), "the rounds' spread: {}", lines[0]);
    }
    assert!(
        stdout
            .contains("every rayon version gives the sequential answer: true"),
        "{stdout}"
    );
}

#[test]
fn help_explains_the_program() {
    assert_help_mentions(BINARY, &["--size", "--threads"]);
}

#[test]
fn a_run_prints_one_agreeing_row_per_construct() {
    let ran = run(&["--size", "20000", "--threads", "3"]);
    assert!(ran.succeeded(), "{}", ran.stderr);
    let stdout = &ran.stdout;
    assert!(stdout.starts_with("machine: "), "{stdout}");
    assert!(stdout.contains("20000 elements, a pool of 3 threads"));
    check_table(stdout);
}

#[test]
fn the_output_the_book_shows_holds_the_same_invariants() {
    let shown = include_str!("../output.txt");
    assert!(shown.starts_with("$ cargo run -p ch19-openmp-to-rayon"));
    check_table(shown);
}

#[test]
fn bad_arguments_get_usage_and_exit_code_2() {
    assert_refused(
        BINARY,
        &[&["--threads", "0"], &["--size", "lots"], &["--fast"]],
    );
}
