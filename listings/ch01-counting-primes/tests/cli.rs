//! The program as a reader runs it: help, a normal run, and arguments it must refuse.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ch01-counting-primes"))
        .args(args)
        .output()
        .expect("the listing's binary starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_explains_the_program_and_exits_zero() {
    let output = run(&["--help"]);
    assert!(output.status.success());
    let help = text(&output.stdout);
    assert!(
        help.contains("--limit") && help.contains("--threads"),
        "{help}"
    );
}

#[test]
fn every_thread_count_gets_one_row_with_the_right_count() {
    let output = run(&["--limit", "100000", "--threads", "1", "3", "2"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
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
    for args in [
        &["--threads", "0"][..],
        &["--threads", "257"],
        &["--threads", "two"],
        &["--threads"],
        &["--limit", "1"],
        &["--limit", "-5"],
        &["--limit", "lots"],
        &["--limit", "100000001"],
        &["--cores", "2"],
    ] {
        let output = run(args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error:"), "{args:?}: {stderr}");
        // clap adds the usage line, or for a bad value a pointer to `--help`.
        let guided = stderr.contains("Usage:") || stderr.contains("--help");
        assert!(guided, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}
