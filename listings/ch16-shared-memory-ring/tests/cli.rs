//! The program as a reader runs it: help, a run, bad arguments, and a
//! folder where the shared file cannot be made.

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

#[test]
fn a_run_moves_every_number_three_ways() {
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
