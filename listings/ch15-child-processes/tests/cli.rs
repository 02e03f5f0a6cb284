//! The program as a reader runs it: help, the demonstration, bad arguments.

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};

const BINARY: &str = env!("CARGO_BIN_EXE_ch15-child-processes");

fn run(args: &[&str]) -> Ran {
    cli::run(BINARY, args)
}

#[test]
fn help_explains_the_program() {
    assert_help_mentions(BINARY, &["--spawns", "--numbers"]);
}

#[test]
fn a_run_shows_pipes_statuses_the_pipeline_and_the_costs() {
    let ran = run(&["--spawns", "5", "--numbers", "1000"]);
    let stdout = &ran.stdout;
    assert!(ran.succeeded(), "{}", ran.stderr);
    for line in [
        r#"the child answered: ["A PROCESS", "TALKS THROUGH", "PIPES"]"#,
        "and ended with exit status: 0",
        "a child that exits with 3: code Some(3)",
        "running before true, then code None, signal Some(9)",
        "numbers --count 1000 | sum = 500500",
        "expected                  = 500500",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in\n{stdout}");
    }
    for kind in ["tokio task ", "thread ", "process "] {
        let rows = stdout.lines().filter(|l| l.starts_with(kind)).count();
        assert_eq!(rows, 1, "{stdout}");
    }
}

#[test]
fn bad_arguments_get_usage_and_exit_two() {
    assert_refused(
        BINARY,
        &[
            &["--spawns", "0"],
            &["--spawns", "2001"],
            &["--spawns", "many"],
            &["--numbers", "0"],
            &["--what"],
        ],
    );
}
