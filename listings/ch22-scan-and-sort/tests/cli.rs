//! The program as a reader runs it: help, bad arguments, both tables; and
//! the invariants of the `output.txt` the book shows, whose times vary.

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};

const BINARY: &str = env!("CARGO_BIN_EXE_ch22-scan-and-sort");

fn run(args: &[&str]) -> Ran {
    cli::run(BINARY, args)
}

fn check_tables(stdout: &str, threads: usize) {
    let rows = [
        ("sequential scan", 1),
        ("naive scan", 1),
        ("naive scan", threads),
        ("work-efficient scan", 1),
        ("work-efficient scan", threads),
        ("sort_unstable", 1),
        ("par_sort_unstable", threads),
        ("sort (stable)", 1),
        ("par_sort (stable)", threads),
    ];
    for (name, pool) in rows {
        let found = stdout.lines().any(|line| {
            line.strip_prefix(name)
                .and_then(|rest| rest.split_whitespace().next())
                .is_some_and(|cell| cell == pool.to_string())
        });
        assert!(found, "no row {name} on {pool}: {stdout}");
    }
    let sequential = stdout
        .lines()
        .find(|l| l.starts_with("sequential scan"))
        .unwrap();
    assert!(
        sequential.ends_with(" 1.00"),
        "one addition per element: {sequential}"
    );
    assert!(
        stdout.contains("every scan gives the same sums: true"),
        "{stdout}"
    );
    assert!(stdout.contains("every sort gives the same sorted order: true"));
}

#[test]
fn help_explains_the_program() {
    assert_help_mentions(BINARY, &["--size", "--threads"]);
}

#[test]
fn a_run_prints_both_tables() {
    let ran = run(&["--size", "5000", "--threads", "3"]);
    assert!(ran.succeeded(), "{}", ran.stderr);
    check_tables(&ran.stdout, 3);
}

#[test]
fn the_output_the_book_shows_holds_the_same_invariants() {
    let shown = include_str!("../output.txt");
    assert!(
        shown.starts_with("$ cargo run -p ch22-scan-and-sort -- --threads 2")
    );
    check_tables(shown, 2);
}

#[test]
fn bad_arguments_get_an_error_and_exit_code_2() {
    assert_refused(
        BINARY,
        &[&["--size", "0"], &["--threads", "0"], &["--sort"]],
    );
}
