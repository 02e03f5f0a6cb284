//! The program as a reader runs it: help, a normal run, and arguments it must
//! refuse.

use book_helpers::cli::{self, Ran};

const BINARY: &str = env!("CARGO_BIN_EXE_ch01-counting-primes");

fn run(args: &[&str]) -> Ran {
    cli::run(BINARY, args)
}

#[test]
fn help_explains_the_program_and_exits_zero() {
    cli::assert_help_mentions(BINARY, &["--limit", "--threads"]);
}

#[test]
fn every_thread_count_gets_one_row_with_the_right_count() {
    let output = run(&["--limit", "100000", "--threads", "1", "3", "2"]);
    assert!(output.succeeded(), "{}", output.stderr);
    let stdout = &output.stdout;
    assert!(
        stdout.contains("one loop, no threads: 9592 primes in"),
        "{stdout}"
    );
    let rows: Vec<(String, String)> = stdout
        .lines()
        .skip_while(|line| !line.starts_with("threads"))
        .skip(1)
        .map(|line| {
            let mut columns = line.split_whitespace();
            let threads = columns.next().unwrap_or_default().to_string();
            let count = columns.next().unwrap_or_default().to_string();
            (threads, count)
        })
        .collect();
    let expected: Vec<(String, String)> = ["1", "3", "2"]
        .iter()
        .map(|threads| (threads.to_string(), "9592".to_string()))
        .collect();
    assert_eq!(rows, expected, "{stdout}");
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    cli::assert_refused(
        BINARY,
        &[
            &["--threads", "0"],
            &["--threads", "257"],
            &["--threads", "two"],
            &["--threads"],
            &["--limit", "1"],
            &["--limit", "-5"],
            &["--limit", "lots"],
            &["--limit", "100000001"],
            &["--cores", "2"],
        ],
    );
}
