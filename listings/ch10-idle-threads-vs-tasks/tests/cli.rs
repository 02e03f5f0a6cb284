//! The program as a reader runs it. Its memory figures differ from run to run,
//! so this file checks what must hold instead (it is the listing's
//! `output-invariants`): every waiter of both kinds finished, and a parked task
//! costs less than a parked thread.

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};

const BINARY: &str = env!("CARGO_BIN_EXE_ch10-idle-threads-vs-tasks");

fn run(args: &[&str]) -> Ran {
    cli::run(BINARY, args)
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
    assert_help_mentions(BINARY, &["--waiters"]);
}

#[test]
fn the_shown_run_holds_its_invariants() {
    let ran = run(&["--waiters", "10000"]);
    assert!(ran.succeeded(), "{}", ran.stderr);
    let stdout = &ran.stdout;
    assert!(
        stdout
            .starts_with("10000 idle waiters, all waiting at the same moment:"),
        "{stdout}"
    );
    assert_eq!(stdout.matches("; 10000 finished").count(), 2, "{stdout}");
    let task = bytes_each(stdout, "tokio tasks");
    let thread = bytes_each(stdout, "OS threads");
    assert!(
        task < thread,
        "a parked task costs less than a parked thread: {stdout}"
    );
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    assert_refused(
        BINARY,
        &[
            &["--waiters", "0"],
            &["--waiters", "20001"],
            &["--waiters", "x"],
            &["--tasks"],
        ],
    );
}
