//! The program as a reader runs it. Its memory figures differ from run to run, so this
//! file checks what must hold instead (it is the listing's `output-invariants`): every
//! waiter of both kinds finished, and a parked task costs less than a parked thread.

use std::process::{Command, Output};
use std::time::Duration;

use book_helpers::finishes_within;

fn run(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
    finishes_within(Duration::from_secs(120), move || {
        Command::new(env!("CARGO_BIN_EXE_ch10-idle-threads-vs-tasks"))
            .args(&args)
            .output()
            .expect("the listing's binary starts")
    })
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The "bytes each" figure of the line that starts with `name`.
fn bytes_each(stdout: &str, name: &str) -> f64 {
    let line = stdout
        .lines()
        .find(|line| line.trim_start().starts_with(name))
        .unwrap_or_else(|| panic!("no line for {name}: {stdout}"));
    let before = line.split(" bytes each").next().expect("a figure");
    before
        .rsplit(' ')
        .next()
        .expect("a number")
        .parse()
        .expect("a number")
}

#[test]
fn help_explains_the_program_and_exits_zero() {
    let output = run(&["--help"]);
    assert!(output.status.success());
    assert!(text(&output.stdout).contains("--waiters"));
}

#[test]
fn the_shown_run_holds_its_invariants() {
    let output = run(&["--waiters", "10000"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.starts_with("10000 idle waiters, all waiting at the same moment:"),
        "{stdout}"
    );
    assert_eq!(stdout.matches("; 10000 finished").count(), 2, "{stdout}");
    let task = bytes_each(&stdout, "tokio tasks");
    let thread = bytes_each(&stdout, "OS threads");
    assert!(
        task < thread,
        "a parked task costs less than a parked thread: {stdout}"
    );
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    for args in [
        &["--waiters", "0"][..],
        &["--waiters", "20001"],
        &["--waiters", "x"],
        &["--tasks"],
    ] {
        let output = run(args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error:"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
