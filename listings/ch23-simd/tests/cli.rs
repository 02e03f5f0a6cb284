//! The program as a reader runs it: help, bad arguments, the table; and the
//! invariants of the `output.txt` the book shows, whose times vary.

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};

const BINARY: &str = env!("CARGO_BIN_EXE_ch23-simd");

fn run(args: &[&str]) -> Ran {
    cli::run(BINARY, args)
}

/// The protocol's header; six rows with one shared result, each with the
/// spread of its rounds and the vector lanes this build really uses; and
/// the final yes.
fn check_table(stdout: &str, threads: usize, result: &str) {
    let headers = stdout.lines().filter(|l| l.starts_with("machine: "));
    assert_eq!(headers.count(), 1, "one machine header: {stdout}");
    let (_, lanes) = ch23_simd::build_f32_lanes();
    let lanes_line = format!("{lanes} f32 lanes per vector instruction");
    assert!(stdout.contains(&lanes_line), "{lanes_line}: {stdout}");
    let rows = [
        "plain loop ".to_string(),
        "4 lanes, one accumulator ".into(),
        "16 lanes, chunked ".into(),
        "8 lanes, chunked ".into(),
        "8 lanes, wide::f32x8 ".into(),
        format!("8 lanes × {threads} threads "),
    ];
    for row in &rows {
        let line = stdout.lines().find(|l| l.starts_with(row.as_str()));
        let line = line.unwrap_or_else(|| panic!("no row {row}: {stdout}"));
        assert!(line.ends_with(&format!(" {result}")), "{line}");
        assert_eq!(line.matches('%').count(), 1, "an efficiency: {line}");
        assert!(line.contains(" – "), "the rounds' spread: {line}");
    }
    assert!(
        stdout.contains("the same result every way: true"),
        "{stdout}"
    );
}

#[test]
fn help_explains_the_program() {
    assert_help_mentions(BINARY, &["--size", "--threads"]);
}

#[test]
fn a_run_prints_four_agreeing_rows() {
    let ran = run(&["--size", "1003", "--threads", "3"]);
    assert!(ran.succeeded(), "{}", ran.stderr);
    // Σ (i % 4)(i % 3) / 2 over i < 1003.
    let twice: u64 = (0..1003u64).map(|i| (i % 4) * (i % 3)).sum();
    check_table(&ran.stdout, 3, &format!("{}", twice as f64 / 2.0));
}

#[test]
fn the_output_the_book_shows_holds_the_same_invariants() {
    let shown = include_str!("../output.txt");
    assert!(shown.starts_with("$ cargo run -p ch23-simd -- --threads 2"));
    check_table(shown, 2, "749999.5");
}

#[test]
fn bad_arguments_get_an_error_and_exit_code_2() {
    assert_refused(
        BINARY,
        &[
            &["--size", "0"],
            &["--size", "3000001"],
            &["--threads", "x"],
        ],
    );
}
