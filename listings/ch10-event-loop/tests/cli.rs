//! The program as a reader runs it: help, a small run, and arguments it must refuse.

use std::process::{Command, Output};
use std::time::Duration;

use book_helpers::finishes_within;

fn run(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
    finishes_within(Duration::from_secs(60), move || {
        Command::new(env!("CARGO_BIN_EXE_ch10-event-loop"))
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
        help.contains("--clients") && help.contains("--messages"),
        "{help}"
    );
    assert!(help.contains("event loop"), "{help}");
}

#[test]
fn both_servers_echo_every_line_and_close_both_silent_clients() {
    let output = run(&["--clients", "5", "--messages", "10"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    for line in [
        "connections served:    7",
        "lines echoed intact:   50 of 50",
        "silent clients closed: 2 of 2",
    ] {
        assert_eq!(stdout.matches(line).count(), 2, "{line}: {stdout}");
    }
    // The address is printed, on stderr, and it is a loopback one.
    let stderr = text(&output.stderr);
    assert_eq!(
        stderr.matches("listening on 127.0.0.1:").count(),
        2,
        "{stderr}"
    );
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    for args in [
        &["--clients", "0"][..],
        &["--clients", "501"],
        &["--messages", "0"],
        &["--messages", "x"],
        &["--port", "80"],
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
