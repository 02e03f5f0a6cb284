//! The program as a reader runs it: help, a run, bad arguments, and a
//! folder where the shared file cannot be made.

use std::process::{Command, Output};

const BINARY: &str = env!("CARGO_BIN_EXE_ch16-shared-memory-ring");

fn run(args: &[&str]) -> Output {
    Command::new(BINARY)
        .args(args)
        .output()
        .expect("the listing's binary starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_explains_the_program() {
    let output = run(&["--help"]);
    assert!(output.status.success());
    let help = text(&output.stdout);
    for flag in ["--count", "--dir"] {
        assert!(help.contains(flag), "{help}");
    }
    assert!(!help.contains("ring-producer"), "roles stay hidden: {help}");
}

#[test]
fn a_run_moves_every_number_three_ways() {
    let output = run(&["--count", "20000"]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        stdout.contains(
            "every way: all 20000 arrived once and in order, sum 199990000"
        ),
        "{stdout}"
    );
    for way in ["pipe ", "Unix socket ", "shared ring "] {
        let rows = stdout.lines().filter(|l| l.starts_with(way)).count();
        assert_eq!(rows, 1, "{stdout}");
    }
    let leftovers = std::fs::read_dir("/dev/shm")
        .expect("/dev/shm exists")
        .filter_map(Result::ok)
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.starts_with("ch16-ring-")
        })
        .count();
    assert_eq!(leftovers, 0, "the shared file is removed after the run");
}

#[test]
fn an_unusable_folder_is_a_clear_error() {
    let output = run(&["--count", "10", "--dir", "/no/such/folder"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("cannot create the shared file"), "{stderr}");
    assert!(stderr.contains("--dir"), "{stderr}");
}

#[test]
fn bad_arguments_get_usage_and_exit_two() {
    for args in [
        &["--count", "0"][..],
        &["--count", "100000001"],
        &["--count", "lots"],
        &["--what"],
    ] {
        let output = run(args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error:"), "{stderr}");
        assert!(output.stdout.is_empty());
    }
}
