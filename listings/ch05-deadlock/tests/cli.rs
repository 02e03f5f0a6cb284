//! The program as a reader runs it: the deadlock is reported, the fix works,
//! bad arguments get usage.

use std::process::{Command, Output};

use book_helpers::finishes_within;
use std::time::Duration;

fn run(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    finishes_within(Duration::from_secs(60), move || {
        Command::new(env!("CARGO_BIN_EXE_ch05-deadlock"))
            .args(&args)
            .output()
            .expect("the listing's binary starts")
    })
}

#[test]
fn help_names_every_option() {
    let output = run(&["--help"]);
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("--pause-ms") && help.contains("--timeout-ms"));
}

#[test]
fn the_run_reports_the_deadlock_then_the_fix_and_exits() {
    let output = run(&["--pause-ms", "100", "--timeout-ms", "400"]);
    assert!(
        output.status.success(),
        "the deadlocked threads do not keep it"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].contains("argument order") && lines[0].contains("deadlock")
    );
    assert!(lines[1].contains("id order") && lines[1].contains("total 200"));
}

#[test]
fn bad_arguments_get_usage_and_exit_two() {
    for args in [
        &["--pause-ms", "1001"][..],
        &["--timeout-ms", "5"],
        &["--timeout-ms", "soon"],
        &["--what"],
    ] {
        let output = run(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error:"), "{stderr}");
        assert!(output.stdout.is_empty());
    }
}
