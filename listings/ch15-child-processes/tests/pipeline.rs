//! The pipeline's stages: exact sums however often they run, and a clear
//! error, quickly, when the process on the other end of a pipe dies.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use book_helpers::finishes_within;

const BINARY: &str = env!("CARGO_BIN_EXE_ch15-child-processes");
const LIMIT: Duration = Duration::from_secs(20);

fn stage(args: &[&str]) -> Command {
    let mut command = Command::new(BINARY);
    command.args(args);
    command
}

fn spawn(command: &mut Command) -> Child {
    command.spawn().expect("the stage starts")
}

#[test]
fn the_pipeline_adds_up_exactly_every_time() {
    finishes_within(LIMIT * 3, || {
        for run in 0..200_u64 {
            let count = run * 37 + 1;
            let mut numbers = spawn(
                stage(&["numbers", "--count", &count.to_string()])
                    .stdout(Stdio::piped()),
            );
            let between = numbers.stdout.take().expect("piped");
            let sum =
                stage(&["sum"]).stdin(between).output().expect("sum runs");
            assert!(numbers.wait().expect("reaped").success());
            assert!(sum.status.success());
            let total = String::from_utf8_lossy(&sum.stdout);
            assert_eq!(total.trim(), (count * (count + 1) / 2).to_string());
        }
    });
}

#[test]
fn a_writer_whose_reader_dies_reports_the_closed_pipe() {
    let status = finishes_within(LIMIT, || {
        let mut numbers = spawn(
            stage(&["numbers", "--count", "10000000"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped()),
        );
        let mut reader = BufReader::new(numbers.stdout.take().expect("piped"));
        let mut first = String::new();
        reader.read_line(&mut first).expect("one line arrives");
        assert_eq!(first, "1\n");
        drop(reader); // the reader goes away mid-stream
        numbers.wait_with_output().expect("reaped")
    });
    assert_eq!(status.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(stderr.contains("closed the pipe"), "{stderr}");
}

#[test]
fn a_reader_whose_writer_dies_reports_the_missing_end() {
    let sum = finishes_within(LIMIT, || {
        let mut numbers = spawn(
            stage(&["numbers", "--count", "10000000"]).stdout(Stdio::piped()),
        );
        let between = numbers.stdout.take().expect("piped");
        let sum = spawn(
            stage(&["sum"])
                .stdin(between)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped()),
        );
        numbers.kill().expect("the writer can be killed");
        numbers.wait().expect("reaped");
        sum.wait_with_output().expect("reaped")
    });
    assert_eq!(sum.status.code(), Some(1));
    assert!(sum.stdout.is_empty(), "no sum for a stream that broke off");
    let stderr = String::from_utf8_lossy(&sum.stderr);
    assert!(stderr.contains("without its `end` line"), "{stderr}");
}
