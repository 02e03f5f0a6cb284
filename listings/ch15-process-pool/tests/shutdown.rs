//! SIGTERM and SIGINT stop the pool cleanly: jobs in flight finish, no new
//! ones start, every worker is stopped and reaped, and no zombie is left.

mod common;

use std::time::Duration;

use book_helpers::{finishes_within, process_exists};
use common::{start, started_pid, stderr_lines};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

fn stop_with(signal: Signal, workers: usize) {
    let (code, stdout, pids) =
        finishes_within(Duration::from_secs(60), move || {
            let mut parent = start(&[
                "--processes-only",
                "--workers",
                &workers.to_string(),
                "--jobs",
                "100000",
                "--job-size",
                "2000",
            ]);
            let lines = stderr_lines(parent.stderr.take().expect("piped"));
            let pids: Vec<u32> = lines
                .iter()
                .filter_map(|line| started_pid(&line))
                .take(workers)
                .collect();
            std::thread::sleep(Duration::from_millis(100));
            let me = Pid::from_raw(parent.id() as i32);
            kill(me, signal).expect("the signal is sent");
            let output = parent.wait_with_output().expect("reaped");
            let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
            (output.status.code(), stdout, pids)
        });
    assert_eq!(code, Some(128 + signal as i32), "{stdout}");
    assert!(stdout.contains("children left: 0"), "{stdout}");
    assert!(stdout.contains("each answered once: true"), "{stdout}");
    let stopped = format!("stopped by signal {}", signal as i32);
    assert!(stdout.contains(&stopped), "{stdout}");
    assert!(
        !stdout.contains("(100000 of 100000 jobs"),
        "it stopped early"
    );
    assert_eq!(pids.len(), workers);
    for pid in pids {
        // Reaped by the parent before it exited: no process, no zombie.
        assert!(!process_exists(pid), "worker {pid} was left behind");
    }
}

#[test]
fn sigterm_stops_the_pool_and_leaves_no_child() {
    for workers in [1, 2, 4] {
        stop_with(Signal::SIGTERM, workers);
    }
}

#[test]
fn sigint_stops_the_pool_and_leaves_no_child() {
    stop_with(Signal::SIGINT, 3);
}
