//! Running a listing's binary from its own tests, the way a reader runs it.
//!
//! Every listing promises the same things on its command line — `--help` works,
//! bad arguments get clap's message and exit code 2, never a panic — so the
//! checks of that promise live here once instead of in every listing's
//! `tests/cli.rs`.

use std::fmt::Display;
use std::process::{Command, ExitCode};
use std::time::Duration;

use crate::finishes_within;

/// No listing's test run takes anywhere near this long; a run that does is
/// hung, and the test fails with a message instead of stalling the whole test
/// suite.
pub const RUN_LIMIT: Duration = Duration::from_secs(120);

/// How a listing's `main` ends: `Ok` exits with 0; an error becomes one `error:
/// …` line on stderr — what the tests look for, never a panic trace — and exit
/// code 1. The alternate form `{:#}` prints an `anyhow::Error` with its chain of
/// causes on that one line ("cannot connect: connection refused"); types whose
/// `Display` ignores the flag print as usual.
pub fn exit_code(outcome: Result<(), impl Display>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// What one run of a binary did.
#[derive(Debug)]
pub struct Ran {
    /// The exit code; `None` if a signal ended the process.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    pub fn succeeded(&self) -> bool {
        self.code == Some(0)
    }

    /// Lines of stdout that start with `prefix`: table rows, in the order
    /// printed.
    pub fn rows_starting_with(&self, prefix: &str) -> Vec<&str> {
        self.stdout
            .lines()
            .filter(|line| line.starts_with(prefix))
            .collect()
    }
}

/// Runs `binary` (a test's `env!("CARGO_BIN_EXE_<name>")`) with `args`.
///
/// `BOOK_OUTPUT_DIR` is removed, so a test never writes into the listing's
/// folder even when the book's output check runs in the same environment. The
/// run is bounded by [`RUN_LIMIT`].
pub fn run(binary: &str, args: &[&str]) -> Ran {
    run_within(RUN_LIMIT, binary, args)
}

/// Like [`run`], bounded by `limit` instead: for a listing whose runs all end
/// well before [`RUN_LIMIT`], so that a hang fails its test sooner.
pub fn run_within(limit: Duration, binary: &str, args: &[&str]) -> Ran {
    let mut command = Command::new(binary);
    command.env_remove("BOOK_OUTPUT_DIR").args(args);
    run_command_within(limit, command)
}

/// Like [`run`], for a command the test has set up itself (environment, stdin,
/// ...).
pub fn run_command(command: Command) -> Ran {
    run_command_within(RUN_LIMIT, command)
}

/// Like [`run_command`], bounded by `limit`.
pub fn run_command_within(limit: Duration, mut command: Command) -> Ran {
    let output = finishes_within(limit, move || command.output())
        .unwrap_or_else(|error| panic!("cannot start the listing: {error}"));
    Ran {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `--help` exits 0 and its text mentions each of `words` (usually the flags).
pub fn assert_help_mentions(binary: &str, words: &[&str]) {
    let help = run(binary, &["--help"]);
    assert!(help.succeeded(), "--help failed: {}", help.stderr);
    for word in words {
        assert!(
            help.stdout.contains(word),
            "--help does not mention {word}:\n{}",
            help.stdout
        );
    }
}

/// Each argument list is refused the way clap refuses it: an `error:` message
/// that points at `--help`, exit code 2, nothing on stdout, no panic.
pub fn assert_refused(binary: &str, bad_arguments: &[&[&str]]) {
    for args in bad_arguments {
        let ran = run(binary, args);
        let stderr = &ran.stderr;
        assert_eq!(ran.code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error:"), "{args:?}: {stderr}");
        // clap ends every refusal by pointing at `--help`.
        assert!(stderr.contains("try '--help'"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            ran.stdout.is_empty(),
            "{args:?} printed to stdout: {}",
            ran.stdout
        );
    }
}

/// Given a regular file where the folder `flag` names should be, the program
/// says `error: cannot write ...` and exits 1, without a panic: what a reader
/// sees who points `--schedules` or `--plot` at the wrong place.
pub fn assert_unwritable_folder_is_refused(
    binary: &str,
    args: &[&str],
    flag: &str,
) {
    let file = std::env::temp_dir().join(format!(
        "not-a-folder-{}-{}",
        std::process::id(),
        flag.trim_start_matches('-')
    ));
    std::fs::write(&file, "").expect("the temp dir is writable");
    let path = file.display().to_string();
    let ran = run(binary, &[args, &[flag, &path]].concat());
    std::fs::remove_file(&file).ok();
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    assert!(
        ran.stderr.starts_with("error: cannot write"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
}

#[cfg(test)]
mod tests {
    use super::*;

    // `sh` stands in for a listing: these tests check the checks themselves.
    const SHELL: &str = "/bin/sh";

    #[test]
    fn main_exits_0_on_success_and_1_on_an_error() {
        assert_eq!(exit_code(Ok::<(), &str>(())), ExitCode::SUCCESS);
        assert_eq!(exit_code(Err("no such device")), ExitCode::FAILURE);
    }

    #[test]
    fn success_is_exit_code_0_only() {
        assert!(run(SHELL, &["-c", "exit 0"]).succeeded());
        assert!(!run(SHELL, &["-c", "exit 3"]).succeeded());
        assert!(!run(SHELL, &["-c", "kill -9 $$"]).succeeded(), "a signal");
    }

    // coreutils' `env` stands in for a listing with a `--help`.
    const ENV: &str = "/usr/bin/env";

    #[test]
    fn help_that_mentions_the_flags_passes() {
        assert_help_mentions(ENV, &["--unset", "--ignore-environment"]);
    }

    #[test]
    #[should_panic(expected = "does not mention --rounds")]
    fn help_without_a_flag_fails() {
        assert_help_mentions(ENV, &["--unset", "--rounds"]);
    }

    #[test]
    #[should_panic(expected = "--help failed")]
    fn a_program_without_help_fails() {
        assert_help_mentions(SHELL, &[]);
    }

    #[test]
    fn a_refused_folder_passes() {
        let script =
            r#"echo "error: cannot write into $2: not a folder" >&2; exit 1"#;
        assert_unwritable_folder_is_refused(
            SHELL,
            &["-c", script, "sh"],
            "--plot",
        );
    }

    #[test]
    #[should_panic(expected = "left: Some(0)")]
    fn writing_past_a_file_where_a_folder_should_be_fails() {
        assert_unwritable_folder_is_refused(
            SHELL,
            &["-c", "exit 0", "sh"],
            "--plot",
        );
    }

    #[test]
    fn run_captures_code_and_output() {
        let ran = run(
            SHELL,
            &[
                "-c",
                "echo row 1; echo other; echo row 2; echo oops >&2; exit 3",
            ],
        );
        assert_eq!(ran.code, Some(3));
        assert_eq!(ran.rows_starting_with("row"), ["row 1", "row 2"]);
        assert_eq!(ran.stderr, "oops\n");
    }

    #[test]
    #[should_panic(expected = "Some(2)")]
    fn a_refusal_with_the_wrong_exit_code_fails() {
        assert_refused(SHELL, &[&["-c", "echo 'error: bad' >&2; exit 1"]]);
    }

    #[test]
    fn a_clap_style_refusal_passes() {
        assert_refused(
            SHELL,
            &[&["-c", "echo \"error: bad value; try '--help'\" >&2; exit 2"]],
        );
    }
}
