//! The program as a reader runs it: help, a run, and arguments it must refuse.

use std::process::{Command, Output};
use std::time::Duration;

use book_helpers::finishes_within;

fn run(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
    finishes_within(Duration::from_secs(60), move || {
        Command::new(env!("CARGO_BIN_EXE_ch14-paginated-producer"))
            .args(&args)
            .output()
            .expect("the listing's binary starts")
    })
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_explains_the_program_and_exits_zero() {
    let output = run(&["--help"]);
    assert!(output.status.success());
    assert!(text(&output.stdout).contains("--take"));
}

#[test]
fn the_lazy_producers_fetch_only_what_was_taken() {
    let output = run(&["--take", "12"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("same items all three ways: true"),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("hand-written Stream      items 0 1 2 3 4 5 6 7 8 9 10 11  pages fetched: 3"),
        "{stdout}"
    );
    assert!(
        stdout.contains("with yield   items 0 1 2 3 4 5 6 7 8 9 10 11  pages fetched: 3"),
        "{stdout}"
    );
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    for args in [
        &["--take", "0"][..],
        &["--take", "51"],
        &["--take", "x"],
        &["--pages"],
    ] {
        let output = run(args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error:"), "{args:?}: {stderr}");
        assert!(
            stderr.contains("Usage:") || stderr.contains("--help"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
