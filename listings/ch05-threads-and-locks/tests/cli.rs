//! The program as a reader runs it: help, a run, bad arguments.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ch05-threads-and-locks"))
        .args(args)
        .output()
        .expect("the listing's binary starts")
}

#[test]
fn help_names_every_option() {
    let output = run(&["--help"]);
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in ["--threads", "--items", "--capacity"] {
        assert!(help.contains(flag), "{help}");
    }
}

#[test]
fn a_small_run_reports_every_result_as_correct() {
    let output = run(&["--threads", "3", "--items", "500", "--capacity", "2"]);
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("= 500000500000 (one loop: 500000500000)"));
    assert!(
        stdout.contains("3 × 100000 increments = 300000"),
        "{stdout}"
    );
    assert!(stdout.contains("versions in order: true"), "{stdout}");
    assert!(
        stdout.contains("500 items sent, 500 received, 500 distinct"),
        "{stdout}"
    );
    assert!(stdout.contains("never more than 2 held: true"), "{stdout}");
    assert!(stdout.contains("the total [6, 6, 6]"), "{stdout}");
}

#[test]
fn bad_arguments_get_usage_and_exit_two() {
    for args in [
        &["--threads", "1"][..],
        &["--threads", "65"],
        &["--items", "0"],
        &["--capacity", "0"],
        &["--capacity", "lots"],
        &["--what"],
    ] {
        let output = run(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error:"), "{stderr}");
        assert!(output.stdout.is_empty());
    }
}
