//! The program as a reader runs it: help, a run, and arguments it must refuse.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ch14-generators-three-ways"))
        .args(args)
        .output()
        .expect("the listing's binary starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_explains_the_program_and_exits_zero() {
    let output = run(&["--help"]);
    assert!(output.status.success());
    assert!(text(&output.stdout).contains("--depth"));
}

#[test]
fn a_deep_tree_is_walked_the_same_three_ways() {
    let output = run(&["--depth", "16"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("65535 numbers"), "{stdout}");
    assert!(
        stdout.contains("agree with plain recursion: true"),
        "{stdout}"
    );
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    for args in [
        &["--depth", "0"][..],
        &["--depth", "21"],
        &["--depth", "deep"],
        &["--width"],
    ] {
        let output = run(args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error:"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
