//! Either end of a pipe can die mid-stream: a worker killed from outside
//! costs a re-run but not a wrong answer, and workers whose parent is
//! killed say so and exit instead of waiting forever.

mod common;

use std::time::Duration;

use book_helpers::{finishes_within, process_exists};
use common::{expected_primes, start, started_pid, stderr_lines};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn a_worker_killed_mid_stream_costs_a_rerun_not_a_wrong_answer() {
    let (stdout, stderr) = finishes_within(LIMIT, || {
        let mut parent = start(&[
            "--processes-only",
            "--workers",
            "2",
            "--jobs",
            "200",
            "--job-size",
            "10000",
        ]);
        let lines = stderr_lines(parent.stderr.take().expect("piped"));
        let first = lines.iter().find_map(|line| started_pid(&line));
        let victim = first.expect("a worker starts");
        // 200 jobs take far longer than this pause, so the worker is
        // killed mid-stream.
        std::thread::sleep(Duration::from_millis(200));
        kill(Pid::from_raw(victim as i32), Signal::SIGKILL)
            .expect("kill works");
        let output = parent.wait_with_output().expect("reaped");
        assert!(output.status.success(), "{:?}", output.status);
        let stderr: Vec<String> = lines.iter().collect();
        (String::from_utf8_lossy(&output.stdout).into_owned(), stderr)
    });
    let expected = expected_primes(200, 10000);
    let line = format!(
        "primes: {expected} (200 of 200 jobs, each answered once: true)"
    );
    assert!(stdout.contains(&line), "{stdout}");
    assert!(stdout.contains("children left: 0"), "{stdout}");
    assert!(
        stderr.iter().any(|line| line.contains("failed during job")),
        "{stderr:?}"
    );
}

#[test]
fn workers_of_a_killed_parent_report_it_and_exit() {
    let (stderr, pids) = finishes_within(LIMIT, || {
        let mut parent = start(&[
            "--processes-only",
            "--workers",
            "3",
            "--jobs",
            "1000",
            "--job-size",
            "20000",
        ]);
        let lines = stderr_lines(parent.stderr.take().expect("piped"));
        let pids: Vec<u32> = lines
            .iter()
            .filter_map(|line| started_pid(&line))
            .take(3)
            .collect();
        std::thread::sleep(Duration::from_millis(200));
        parent.kill().expect("the parent can be killed");
        parent.wait().expect("reaped");
        // The iterator ends when the last worker has exited and closed
        // the stderr pipe it shares with the parent.
        let stderr: Vec<String> = lines.iter().collect();
        (stderr, pids)
    });
    assert_eq!(pids.len(), 3);
    let reports = stderr
        .iter()
        .filter(|line| line.contains("the parent went away"))
        .count();
    assert_eq!(reports, 3, "every worker says why it stops: {stderr:?}");
    for pid in pids {
        // Orphans are adopted and reaped by init; give it a moment.
        let gone = (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(50));
            !process_exists(pid)
        });
        assert!(gone, "worker {pid} is still there");
    }
}

/// A worker that answers a different job than it was asked for is a failed
/// worker, not an answer: the pool replaces it and, when every replacement
/// does the same, fails the job with what went wrong.
#[test]
fn an_answer_to_another_job_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    use std::sync::atomic::AtomicUsize;

    use ch15_process_pool::pool;
    use ch15_process_pool::protocol::jobs;

    let dir = std::env::temp_dir()
        .join(format!("ch15-wrong-worker-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let impostor = dir.join("impostor");
    // One frame, whatever the job: length 2, then postcard's Reply { id: 99,
    // primes: 0 }; then read requests until the pipe closes.
    std::fs::write(
        &impostor,
        "#!/bin/sh\nprintf '\\002\\000\\000\\000\\143\\000'\nexec cat > /dev/null\n",
    )
    .expect("the script is written");
    std::fs::set_permissions(&impostor, std::fs::Permissions::from_mode(0o755))
        .expect("the script is executable");
    let program = impostor.clone();
    let ran = finishes_within(LIMIT, move || {
        let stop = AtomicUsize::new(0);
        pool::run(&program, 1, jobs(1, 10), &stop, Duration::from_secs(10))
    });
    std::fs::remove_dir_all(&dir).ok();
    let error = ran.expect_err("job 0's answer never came").to_string();
    // Three workers tried (the first and two replacements), then the pool
    // gave up on the job.
    assert!(
        error.contains(
            "job 0 failed 3 times: answered job 99 when asked for job 0"
        ),
        "{error}"
    );
}

/// `children_left` finds a child while it lives (other tests of this file
/// may have children of their own at the same moment, hence a range).
#[test]
fn a_living_child_is_counted() {
    use ch15_process_pool::pool::children_left;

    let mut child = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .expect("sleep starts");
    let counted = children_left().expect("/proc is readable");
    child.kill().expect("sleep can be killed");
    child.wait().expect("sleep is reaped");
    assert!((1..100).contains(&counted), "{counted}");
}
