//! The program as a reader runs it: help, a small run, and arguments it must refuse.

use std::process::{Command, Output};
use std::time::Duration;

use book_helpers::finishes_within;

fn run(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
    finishes_within(Duration::from_secs(60), move || {
        Command::new(env!("CARGO_BIN_EXE_ch12-graceful-shutdown"))
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
        help.contains("--early") && help.contains("--late"),
        "{help}"
    );
    assert!(help.contains("shut"), "{help}");
}

#[test]
fn every_early_request_is_answered_and_every_late_one_refused() {
    let output = run(&["--early", "7", "--late", "3", "--work-ms", "300"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("answered 7 of 7 accepted"), "{stdout}");
    assert!(
        stdout.contains("clients: 7 answered, 3 refused after the shutdown, none lost"),
        "{stdout}"
    );
    assert!(text(&output.stderr).contains("listening on 127.0.0.1:"));
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    for args in [
        &["--early", "0"][..],
        &["--late", "1001"],
        &["--work-ms", "0"],
        &["--early", "x"],
        &["--force"],
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
