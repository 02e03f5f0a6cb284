//! Running a device listing from its tests: the GPU chapter's listings share
//! one harness, built on `book_helpers::cli`, with a longer limit, since a
//! kernel emulated on a loaded CPU (PoCL, lavapipe) is slow.

use std::process::Command;
use std::time::Duration;

pub use book_helpers::cli::Ran;

/// Longer than any device listing's test run takes even on a loaded machine;
/// a hung device or driver then fails the test instead of stalling the whole
/// test run.
pub const LIMIT: Duration = Duration::from_secs(300);

/// Runs `binary` (a test's `env!("CARGO_BIN_EXE_<name>")`) with `args`,
/// within [`LIMIT`], never writing into the listing's folder.
pub fn run(binary: &str, args: &[&str]) -> Ran {
    run_with(binary, args, &[])
}

/// Like [`run`], with variables set in its environment (loaders pointed at
/// nothing, to play a machine without the device).
pub fn run_with(binary: &str, args: &[&str], env: &[(&str, &str)]) -> Ran {
    let mut command = Command::new(binary);
    command.args(args).env_remove("BOOK_OUTPUT_DIR");
    for (key, value) in env {
        command.env(key, value);
    }
    book_helpers::cli::run_command_within(LIMIT, command)
}

/// The frame of a one-device run: the device's copy bandwidth on the second
/// line, after the line naming the device, and the machine the times were
/// taken on last, after the rows it measured.
pub fn assert_copy_first_and_machine_last(stdout: &str) {
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines
            .get(1)
            .is_some_and(|line| line.starts_with("device copy: ")),
        "{stdout}"
    );
    assert!(
        lines
            .last()
            .is_some_and(|line| line.starts_with("machine: ")),
        "{stdout}"
    );
}

#[cfg(test)]
mod tests {
    use super::assert_copy_first_and_machine_last;

    #[test]
    fn copy_on_the_second_line_and_the_machine_on_the_last_pass() {
        assert_copy_first_and_machine_last(
            "device: X\ndevice copy: 1.00 GB/s\nsaxpy ...\nmachine: Y",
        );
    }

    #[test]
    #[should_panic(expected = "saxpy")]
    fn copy_after_a_row_fails() {
        assert_copy_first_and_machine_last(
            "device: X\nsaxpy ...\ndevice copy: 1.00 GB/s\nmachine: Y",
        );
    }

    #[test]
    #[should_panic(expected = "machine: Y\nsaxpy")]
    fn a_row_after_the_machine_fails() {
        assert_copy_first_and_machine_last(
            "device: X\ndevice copy: 1.00 GB/s\nmachine: Y\nsaxpy ...",
        );
    }
}
