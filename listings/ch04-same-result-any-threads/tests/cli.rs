//! The program as a reader runs it: help, a run that writes its schedules, bad
//! arguments.

use book_helpers::cli::{self, Ran};

const BINARY: &str = env!("CARGO_BIN_EXE_ch04-same-result-any-threads");

fn run(args: &[&str]) -> Ran {
    cli::run(BINARY, args)
}

#[test]
fn help_explains_the_program() {
    cli::assert_help_mentions(BINARY, &["--size", "--threads", "--schedules"]);
}

#[test]
fn a_run_prints_the_table_and_writes_both_drawings() {
    let dir = std::env::temp_dir()
        .join(format!("ch04-pools-cli-{}", std::process::id()));
    let dir_arg = dir.display().to_string();
    let output =
        run(&["--size", "5000", "--threads", "3", "--schedules", &dir_arg]);
    let stdout = &output.stdout;
    assert!(output.succeeded(), "{}", output.stderr);
    for row in ["pool of 1 thread ", "pool of 3 threads "] {
        assert_eq!(
            stdout.lines().filter(|l| l.starts_with(row)).count(),
            1,
            "{stdout}"
        );
    }
    assert!(
        stdout.contains("identical on 1 and 3 threads: true"),
        "{stdout}"
    );
    for file in ["schedule.mmd", "schedule.svg"] {
        let drawn = std::fs::read_to_string(dir.join(file))
            .expect("the file was written");
        for task in ["sort 0", "sort 15", "merge 0-15"] {
            assert!(drawn.matches(task).count() >= 2, "{file}: {task}");
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn without_a_folder_it_writes_nothing() {
    let output = run(&["--size", "5000"]);
    assert!(output.succeeded());
    assert!(!&output.stdout.contains("schedules written"));
}

#[test]
fn bad_arguments_get_usage_and_exit_two() {
    cli::assert_refused(
        BINARY,
        &[
            &["--size", "15"],
            &["--size", "many"],
            &["--threads", "0"],
            &["--threads", "257"],
            &["--what"],
        ],
    );
}

#[test]
fn a_folder_that_cannot_be_written_is_an_error_not_a_panic() {
    // A regular file where the folder should be: nothing can go inside it.
    cli::assert_unwritable_folder_is_refused(
        BINARY,
        &["--size", "5000"],
        "--schedules",
    );
}
