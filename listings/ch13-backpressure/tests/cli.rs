//! The program as a reader runs it: help, a run, and arguments it must refuse.

use std::process::{Command, Output};
use std::time::Duration;

use book_helpers::finishes_within;

fn run(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
    finishes_within(Duration::from_secs(60), move || {
        Command::new(env!("CARGO_BIN_EXE_ch13-backpressure"))
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
        help.contains("--items") && help.contains("--capacity"),
        "{help}"
    );
}

#[test]
fn both_channels_deliver_everything_and_only_the_bounded_one_stays_small() {
    let output = run(&["--items", "3000", "--capacity", "8"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert_eq!(
        stdout
            .matches("records consumed, in order: 3000 (as a plain loop: true)")
            .count(),
        2,
        "{stdout}"
    );
    assert!(
        stdout.contains("most records queued at once: 3000 (3000 KiB"),
        "{stdout}"
    );
    assert!(
        stdout.contains("most records queued at once: 8 (8 KiB"),
        "{stdout}"
    );
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    for args in [
        &["--items", "0"][..],
        &["--items", "200001"],
        &["--capacity", "0"],
        &["--capacity", "x"],
        &["--rate", "1"],
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
