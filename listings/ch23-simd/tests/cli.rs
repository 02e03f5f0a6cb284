//! The program as a reader runs it: help, bad arguments, the table; and the
//! invariants of the `output.txt` the book shows, whose times vary.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ch23-simd"))
        .args(args)
        .output()
        .expect("the listing's binary starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Four rows with one shared result, and the final yes.
fn check_table(stdout: &str, threads: usize, result: &str) {
    let rows = [
        "plain loop ".to_string(),
        "8 lanes, chunked ".into(),
        "8 lanes, wide::f32x8 ".into(),
        format!("8 lanes × {threads} threads "),
    ];
    for row in &rows {
        let line = stdout.lines().find(|l| l.starts_with(row.as_str()));
        let line = line.unwrap_or_else(|| panic!("no row {row}: {stdout}"));
        assert!(line.ends_with(&format!(" {result}")), "{line}");
    }
    assert!(
        stdout.contains("the same result every way: true"),
        "{stdout}"
    );
}

#[test]
fn help_explains_the_program() {
    let output = run(&["--help"]);
    assert!(output.status.success());
    let help = text(&output.stdout);
    assert!(
        help.contains("--size") && help.contains("--threads"),
        "{help}"
    );
}

#[test]
fn a_run_prints_four_agreeing_rows() {
    let output = run(&["--size", "1003", "--threads", "3"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    // Σ (i % 4)(i % 3) / 2 over i < 1003.
    let twice: u64 = (0..1003u64).map(|i| (i % 4) * (i % 3)).sum();
    check_table(&text(&output.stdout), 3, &format!("{}", twice as f64 / 2.0));
}

#[test]
fn the_output_the_book_shows_holds_the_same_invariants() {
    let shown = include_str!("../output.txt");
    assert!(shown.starts_with("$ cargo run -p ch23-simd -- --threads 2"));
    check_table(shown, 2, "749999.5");
}

#[test]
fn bad_arguments_get_an_error_and_exit_code_2() {
    for args in [
        &["--size", "0"][..],
        &["--size", "3000001"],
        &["--threads", "x"],
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(text(&output.stderr).contains("error:"), "{args:?}");
        assert!(!text(&output.stderr).contains("panicked"), "{args:?}");
    }
}
