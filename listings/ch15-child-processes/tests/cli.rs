//! The program as a reader runs it: help, the demonstration, bad arguments.

use std::process::{Command, Output};

const BINARY: &str = env!("CARGO_BIN_EXE_ch15-child-processes");

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
    for flag in ["--spawns", "--numbers"] {
        assert!(help.contains(flag), "{help}");
    }
}

#[test]
fn a_run_shows_pipes_statuses_the_pipeline_and_the_costs() {
    let output = run(&["--spawns", "5", "--numbers", "1000"]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));
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
    for args in [
        &["--spawns", "0"][..],
        &["--spawns", "2001"],
        &["--spawns", "many"],
        &["--numbers", "0"],
        &["--what"],
    ] {
        let output = run(args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error:"), "{stderr}");
        assert!(output.stdout.is_empty());
    }
}
