//! The program as a reader runs it: help, a normal run, and arguments it must refuse.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ch01-waiting-drivers"))
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
    assert!(help.contains("--events"), "{help}");
    assert!(help.contains("drivers"), "{help}");
}

#[test]
fn a_run_reports_every_driver_once_and_the_same_results() {
    let output = run(&["--events", "1"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    for line in ["network   packet 1", "display   frame 1", "keyboard  key 1"] {
        assert_eq!(stdout.lines().filter(|l| *l == line).count(), 1, "{stdout}");
    }
    assert!(stdout.contains("(the waits add up to 100 ms)"), "{stdout}");
    assert!(stdout.contains("(the longest driver: 50.0 ms)"), "{stdout}");
    assert!(stdout.contains("same results both ways: true"), "{stdout}");
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    for args in [
        &["--events", "0"][..],
        &["--events", "101"],
        &["--events", "many"],
        &["--events"],
        &["--speed", "3"],
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
