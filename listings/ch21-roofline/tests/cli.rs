//! The program as a reader runs it: help, bad arguments, a run that writes
//! its data and roofline; and the invariants of the `output.txt` the book
//! shows, whose numbers vary run to run.

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};

const BINARY: &str = env!("CARGO_BIN_EXE_ch21-roofline");

fn run(args: &[&str]) -> Ran {
    cli::run(BINARY, args)
}

/// A row per kernel, the triad at 100% of itself, and a verdict per goal.
fn check_tables(stdout: &str) {
    for kernel in ["copy ", "scale ", "add ", "triad "] {
        let rows = stdout.lines().filter(|l| l.starts_with(kernel)).count();
        assert_eq!(rows, 1, "{kernel}: {stdout}");
    }
    let triad = stdout.lines().find(|l| l.starts_with("triad ")).unwrap();
    assert!(triad.ends_with(" 100%"), "{triad}");
    for degree in [0, 1, 3, 7, 15, 31, 63] {
        let row = format!("degree {degree} ");
        assert_eq!(stdout.lines().filter(|l| l.starts_with(&row)).count(), 1);
    }
    let verdicts = stdout
        .lines()
        .filter(|l| l.ends_with(": met") || l.ends_with(": not met"))
        .count();
    assert_eq!(verdicts, 4, "{stdout}");
}

#[test]
fn help_explains_the_program() {
    assert_help_mentions(BINARY, &["--size", "--threads", "--plot"]);
}

#[test]
fn a_run_prints_the_tables_and_writes_data_and_plot() {
    let dir =
        std::env::temp_dir().join(format!("ch21-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let dir_arg = dir.display().to_string();
    let ran = run(&["--size", "20000", "--threads", "3", "--plot", &dir_arg]);
    assert!(ran.succeeded(), "{}", ran.stderr);
    check_tables(&ran.stdout);
    let csv = std::fs::read_to_string(dir.join("roofline.csv")).expect("csv");
    assert_eq!(csv.lines().count(), 1 + 4 + 7, "{csv}");
    let svg = std::fs::read_to_string(dir.join("roofline.svg")).expect("svg");
    assert!(svg.starts_with("<svg"), "inline-able SVG");
    for label in ["roof", "STREAM", "degree 63", "cores", "GFLOP/s"] {
        assert!(svg.contains(label), "the plot shows {label}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_output_the_book_shows_holds_the_same_invariants() {
    let shown = include_str!("../output.txt");
    assert!(shown.starts_with("$ cargo run -p ch21-roofline -- --threads 2"));
    check_tables(shown);
}

#[test]
fn bad_arguments_get_an_error_and_exit_code_2() {
    assert_refused(
        BINARY,
        &[&["--size", "10"], &["--threads", "0"], &["--size", "x"]],
    );
}

#[test]
fn an_unwritable_plot_folder_is_a_clear_error() {
    let ran = run(&[
        "--size",
        "1000",
        "--threads",
        "1",
        "--plot",
        "/nonexistent/dir",
    ]);
    assert_eq!(ran.code, Some(1));
    assert!(ran.stderr.contains("cannot write the plot"));
}
