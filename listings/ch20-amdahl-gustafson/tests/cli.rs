//! The program as a reader runs it: help, bad arguments, a run that writes
//! its data and plot; and the invariants of the `output.txt` the book
//! shows, whose times vary run to run.

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};

const BINARY: &str = env!("CARGO_BIN_EXE_ch20-amdahl-gustafson");

fn run(args: &[&str]) -> Ran {
    cli::run(BINARY, args)
}

/// The measurement protocol's header and the measured cost of a unit; both
/// tables, one row per pool size from 1 to `threads` with the spread of its
/// rounds, the laws' predictions where they must be, and agreeing checksums.
fn check_tables(stdout: &str, threads: usize) {
    let headers = stdout.lines().filter(|l| l.starts_with("machine: "));
    assert_eq!(headers.count(), 1, "one machine header: {stdout}");
    let unit = stdout.lines().find(|l| l.starts_with("one unit: "));
    let unit = unit.unwrap_or_else(|| panic!("a unit's cost: {stdout}"));
    assert!(unit.contains(" µs") && unit.contains(" – "), "{unit}");
    let strong = stdout
        .find("fixed job (strong scaling)")
        .expect("strong table");
    let weak = stdout
        .find("job grows with threads (weak scaling)")
        .expect("weak");
    assert!(strong < weak, "{stdout}");
    for table in [&stdout[strong..weak], &stdout[weak..]] {
        let rows: Vec<Vec<&str>> = table
            .lines()
            .map(|line| line.split_whitespace().collect::<Vec<_>>())
            .filter(|cells| {
                cells.first().is_some_and(|c| c.parse::<usize>().is_ok())
            })
            .collect();
        let counts: Vec<usize> =
            rows.iter().map(|r| r[0].parse().unwrap()).collect();
        for row in &rows {
            assert!(row.contains(&"–"), "the rounds' spread: {row:?}");
        }
        assert_eq!(counts, (1..=threads).collect::<Vec<_>>(), "{table}");
        assert_eq!(
            rows[0].last(),
            Some(&"1.00×"),
            "one thread: the laws say 1"
        );
    }
    assert!(
        stdout.contains("same checksum on every pool: true"),
        "{stdout}"
    );
}

#[test]
fn help_explains_the_program() {
    assert_help_mentions(
        BINARY,
        &["--size", "--threads", "--serial", "--plot"],
    );
}

#[test]
fn a_run_prints_both_tables_and_writes_data_and_plot() {
    let dir =
        std::env::temp_dir().join(format!("ch20-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let dir_arg = dir.display().to_string();
    let args = ["--size", "40", "--threads", "3", "--serial", "0.25"];
    let ran = run(&[&args[..], &["--plot", &dir_arg]].concat());
    assert!(ran.succeeded(), "{}", ran.stderr);
    check_tables(&ran.stdout, 3);
    let csv = std::fs::read_to_string(dir.join("scaling.csv")).expect("csv");
    assert_eq!(csv.lines().filter(|l| l.starts_with("strong,")).count(), 3);
    assert_eq!(csv.lines().filter(|l| l.starts_with("weak,")).count(), 3);
    let svg = std::fs::read_to_string(dir.join("scaling.svg")).expect("svg");
    assert!(svg.starts_with("<svg"), "inline-able SVG");
    for label in ["Amdahl", "Gustafson", "strong scaling", "cores"] {
        assert!(svg.contains(label), "the plot names {label}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_output_the_book_shows_holds_the_same_invariants() {
    let shown = include_str!("../output.txt");
    assert!(
        shown
            .starts_with("$ cargo run -p ch20-amdahl-gustafson -- --threads 4")
    );
    check_tables(shown, 4);
}

#[test]
fn bad_arguments_get_an_error_and_exit_code_2() {
    assert_refused(
        BINARY,
        &[
            &["--serial", "1.5"],
            &["--serial", "half"],
            &["--threads", "0"],
            &["--size", "3"],
        ],
    );
}

#[test]
fn an_unwritable_plot_folder_is_a_clear_error() {
    let ran = run(&[
        "--size",
        "20",
        "--threads",
        "1",
        "--plot",
        "/nonexistent/dir",
    ]);
    assert_eq!(ran.code, Some(1));
    assert!(ran.stderr.contains("cannot write the plot"));
}

#[test]
fn a_folder_that_cannot_be_written_is_an_error_not_a_panic() {
    // A regular file where the folder should be: nothing can go inside it.
    cli::assert_unwritable_folder_is_refused(
        BINARY,
        &["--size", "40", "--threads", "2", "--serial", "0.25"],
        "--plot",
    );
}
