//! The program as a reader runs it: help, a run, bad arguments, and a
//! folder where the shared file cannot be made.

use std::collections::BTreeSet;

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};

const BINARY: &str = env!("CARGO_BIN_EXE_ch16-shared-memory-ring");

fn run(args: &[&str]) -> Ran {
    cli::run(BINARY, args)
}

#[test]
fn help_explains_the_program() {
    assert_help_mentions(BINARY, &["--count", "--dir"]);
    let help = run(&["--help"]).stdout;
    assert!(!help.contains("ring-producer"), "roles stay hidden: {help}");
}

/// The ring's shared files in /dev/shm now.
fn shared_files() -> BTreeSet<String> {
    std::fs::read_dir("/dev/shm")
        .expect("/dev/shm exists")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("ch16-ring-"))
        .collect()
}

#[test]
fn a_run_moves_every_number_three_ways() {
    // A run killed earlier (SIGKILL leaves no chance to clean up) may have
    // left a file behind; this run must add none.
    let before = shared_files();
    let ran = run(&["--count", "20000"]);
    let stdout = &ran.stdout;
    assert!(ran.succeeded(), "{}", ran.stderr);
    assert!(
        stdout.contains(
            "every way, every round: all 20000 arrived once and in order, \
             sum 199990000"
        ),
        "{stdout}"
    );
    for way in ["pipe ", "Unix socket ", "shared ring "] {
        let rows = stdout.lines().filter(|l| l.starts_with(way)).count();
        assert_eq!(rows, 1, "{stdout}");
    }
    let left: Vec<String> =
        shared_files().difference(&before).cloned().collect();
    assert!(
        left.is_empty(),
        "the shared file is removed after the run: {left:?}"
    );
}

#[test]
fn an_unusable_folder_is_a_clear_error() {
    let ran = run(&["--count", "10", "--dir", "/no/such/folder"]);
    assert_eq!(ran.code, Some(1));
    let stderr = &ran.stderr;
    assert!(stderr.contains("cannot create the shared file"), "{stderr}");
    assert!(stderr.contains("--dir"), "{stderr}");
}

#[test]
fn bad_arguments_get_usage_and_exit_two() {
    assert_refused(
        BINARY,
        &[
            &["--count", "0"],
            &["--count", "100000001"],
            &["--count", "lots"],
            &["--what"],
        ],
    );
}
