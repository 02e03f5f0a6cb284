//! Starting the listing's binary and watching its workers start.

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;

use ch15_process_pool::protocol::{count_primes, jobs};

pub const BINARY: &str = env!("CARGO_BIN_EXE_ch15-process-pool");

/// The parent, with stdout and stderr piped.
pub fn start(args: &[&str]) -> Child {
    Command::new(BINARY)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the listing's binary starts")
}

/// Every stderr line, forwarded as it arrives; the channel closes when the
/// parent and every worker (which share the stderr pipe) are gone.
pub fn stderr_lines(stderr: ChildStderr) -> Receiver<String> {
    let (lines, received) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    received
}

/// The pid in a line `worker N started: pid P`.
pub fn started_pid(line: &str) -> Option<u32> {
    line.split_once("started: pid ")?.1.parse().ok()
}

/// What the pool must find for `count` jobs of `size` numbers.
pub fn expected_primes(count: u32, size: u64) -> u64 {
    jobs(count, size)
        .iter()
        .map(|job| count_primes(job.start..job.end))
        .sum()
}
