//! The program as a reader runs it: help, bad arguments, a run that writes
//! its data and roofline; and the invariants of the `output.txt` the book
//! shows, whose numbers vary run to run.

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};

const BINARY: &str = env!("CARGO_BIN_EXE_ch21-roofline");

fn run(args: &[&str]) -> Ran {
    cli::run(BINARY, args)
}

/// The figure before `unit` on `line`: `… = 111.7 GFLOP/s` gives 111.7.
fn figure_before(line: &str, unit: &str) -> f64 {
    let head = line.split(unit).next().unwrap_or_default().trim_end();
    let number = head.rsplit(' ').next().unwrap_or_default();
    number
        .parse()
        .unwrap_or_else(|_| panic!("no figure before {unit}: {line}"))
}

/// The machine header of the measurement protocol; a row per kernel with
/// the bytes STREAM counts and the bytes write-allocate moves; a compute
/// roof from the hardware above every rate the code reached; and the
/// variants that show what FMA and wider vectors change.
fn check_tables(stdout: &str) {
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("machine: ")).count(),
        1,
        "one machine header: {stdout}"
    );
    assert!(stdout.contains("median (fastest – slowest)"), "{stdout}");
    for (kernel, bytes) in [
        ("copy ", "16/24"),
        ("scale ", "16/24"),
        ("add ", "24/32"),
        ("triad ", "24/32"),
    ] {
        let rows: Vec<_> =
            lines.iter().filter(|l| l.starts_with(kernel)).collect();
        assert_eq!(rows.len(), 1, "{kernel}: {stdout}");
        assert!(rows[0].contains(bytes), "counted/actual bytes: {}", rows[0]);
    }
    for degree in [0, 1, 3, 7, 15, 31, 63] {
        let row = format!("degree {degree} ");
        assert_eq!(lines.iter().filter(|l| l.starts_with(&row)).count(), 1);
    }
    // The roof is the hardware's: cores × clock × lanes × pipes × flops.
    let peak = lines
        .iter()
        .find(|l| l.trim_start().starts_with("peak"))
        .unwrap_or_else(|| panic!("a peak line: {stdout}"));
    assert!(
        peak.contains(" cores × ") && peak.contains(" GHz × "),
        "{peak}"
    );
    let peak = figure_before(peak, "GFLOP/s");
    // Every rate in the output, measured or drawn, is at most the peak.
    let rates: Vec<f64> = stdout
        .split(" GFLOP/s")
        .filter_map(|before| before.rsplit([' ', '(']).next())
        .filter_map(|rate| rate.parse::<f64>().ok())
        .collect();
    assert!(rates.len() >= 7 + 3, "measured rates: {stdout}");
    for rate in rates {
        assert!(rate <= peak, "{rate} GFLOP/s above the peak {peak}");
    }
    for line in ["this build", "ridge point", "this code's best"] {
        assert!(stdout.contains(line), "{line}: {stdout}");
    }
    for variant in [
        "one chain per element",
        "16 chains, mul + add",
        "16 chains, f64::mul_add",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(variant)),
            "{variant}: {stdout}"
        );
    }
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
    // STREAM's rule: every array at least four times the last-level cache.
    let arrays = shown
        .lines()
        .find(|l| l.contains("the last-level cache"))
        .unwrap_or_else(|| panic!("the arrays against the cache: {shown}"));
    assert!(
        figure_before(arrays, "× the last-level cache") >= 4.0,
        "{arrays}"
    );
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
