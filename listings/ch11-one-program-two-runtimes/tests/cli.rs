//! The program as a reader runs it: help, a small run, and arguments it must refuse.

use std::process::{Command, Output};
use std::time::Duration;

use book_helpers::finishes_within;

fn run(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
    finishes_within(Duration::from_secs(120), move || {
        Command::new(env!("CARGO_BIN_EXE_ch11-one-program-two-runtimes"))
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
        help.contains("--jobs") && help.contains("--workers"),
        "{help}"
    );
    assert!(help.contains("runtime"), "{help}");
}

#[test]
fn both_runtimes_agree_with_the_plain_loop_for_both_kinds_of_work() {
    let output = run(&["--jobs", "8", "--workers", "3"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    // 0² + 1² + … + 7² = 140.
    assert_eq!(stdout.matches("total 140\n").count(), 2, "{stdout}");
    assert_eq!(
        stdout.matches("same total as a plain loop: true").count(),
        2,
        "{stdout}"
    );
    assert!(
        stdout.contains("multi-thread runtime, 3 workers:"),
        "{stdout}"
    );
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    for args in [
        &["--jobs", "0"][..],
        &["--jobs", "10001"],
        &["--workers", "0"],
        &["--workers", "lots"],
        &["--jobs"],
        &["--threads", "2"],
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
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}
