//! The program as a reader runs it: help, a run, and arguments it must refuse.

use book_helpers::cli::{self, Ran};

const BINARY: &str = env!("CARGO_BIN_EXE_ch14-generators-three-ways");

fn run(args: &[&str]) -> Ran {
    cli::run(BINARY, args)
}

#[test]
fn help_explains_the_program_and_exits_zero() {
    cli::assert_help_mentions(BINARY, &["--depth"]);
}

#[test]
fn a_deep_tree_is_walked_the_same_three_ways() {
    let output = run(&["--depth", "16"]);
    assert!(output.succeeded(), "{}", output.stderr);
    let stdout = &output.stdout;
    assert!(stdout.contains("65535 numbers"), "{stdout}");
    assert!(
        stdout.contains("agree with plain recursion: true"),
        "{stdout}"
    );
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    cli::assert_refused(
        BINARY,
        &[
            &["--depth", "0"],
            &["--depth", "21"],
            &["--depth", "deep"],
            &["--width"],
        ],
    );
}
