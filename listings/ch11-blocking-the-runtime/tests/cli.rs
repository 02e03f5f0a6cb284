//! The program as a reader runs it: help, a small run, and arguments it must refuse.

use std::process::{Command, Output};
use std::time::Duration;

use book_helpers::finishes_within;

fn run(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
    finishes_within(Duration::from_secs(60), move || {
        Command::new(env!("CARGO_BIN_EXE_ch11-blocking-the-runtime"))
            .args(&args)
            .output()
            .expect("the listing's binary starts")
    })
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
        help.contains("--pieces") && help.contains("heartbeat"),
        "{help}"
    );
}

#[test]
fn a_run_reports_all_four_ways_of_waiting() {
    let output = run(&["--pieces", "1"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert_eq!(stdout.matches("current-thread").count(), 3, "{stdout}");
    assert_eq!(stdout.matches("multi-thread (2)").count(), 1, "{stdout}");
    assert!(
        stdout.contains("spawn_blocking(std::thread::sleep)"),
        "{stdout}"
    );
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    for args in [
        &["--pieces", "0"][..],
        &["--pieces", "101"],
        &["--pieces", "some"],
        &["--period", "3"],
    ] {
        let output = run(args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error:"), "{args:?}: {stderr}");
        assert!(
            stderr.contains("Usage:") || stderr.contains("--help"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
