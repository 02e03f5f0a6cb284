//! What the book's listings share, in one place so no listing copies another.
//!
//! Like the `trpl` crate of *The Rust Programming Language*, this is a small
//! facade: each item is here because more than one listing needs it, and the
//! comment says why. The formats below are also a contract with the book's
//! tests, which mask exactly these shapes (a duration, a speedup) when they
//! compare a fresh run with a listing's `output.txt`.

pub mod cli;
pub mod measure;
pub mod server;
pub mod tools;

use std::panic;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: timed
/// Runs `work` once and returns its result with the wall-clock time it took.
///
/// Listings time whole phases (a sequential run, a parallel run) rather than
/// micro-operations, so one `Instant` pair is the honest tool; benchmarks that
/// need statistics use criterion instead.
pub fn timed<T>(work: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let result = work();
    (result, start.elapsed())
}
// ANCHOR_END: timed

// ANCHOR: finishes_within
/// Runs `work` on a thread of its own and returns its result, or panics if it
/// has not finished within `limit`.
///
/// For tests of threaded code: a deadlock then fails the test with a message
/// instead of hanging the whole test run. A panic inside `work` is passed on
/// unchanged.
pub fn finishes_within<T: Send + 'static>(
    limit: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (done, finished) = mpsc::channel();
    let worker = thread::spawn(move || {
        // The receiver is gone only if the caller already gave up waiting.
        let _ = done.send(work());
    });
    match finished.recv_timeout(limit) {
        Ok(result) => result,
        Err(RecvTimeoutError::Disconnected) => match worker.join() {
            Err(payload) => panic::resume_unwind(payload),
            Ok(()) => {
                unreachable!("the worker sends its result before it returns")
            }
        },
        Err(RecvTimeoutError::Timeout) => panic!(
            "the work did not finish within {} (a deadlock?)",
            format_duration(limit)
        ),
    }
}
// ANCHOR_END: finishes_within

/// Removes from `command` the variables cargo sets for the package it runs
/// (`CARGO_PKG_NAME`, `CARGO_MANIFEST_DIR`, `OUT_DIR`, ...), which a program
/// started by `cargo run` or `cargo test` inherits.
///
/// For a cargo started by such a program (`cargo xtask`, the book's output
/// check): build scripts that watch one of these variables (ring's watches
/// `CARGO_PKG_NAME` and `CARGO_MANIFEST_DIR`) would otherwise see a value that
/// differs from the last build's and rebuild their crate and every crate above
/// it.
pub fn without_package_env(command: &mut std::process::Command) {
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if is_package_variable(&name) {
            command.env_remove(&*name);
        }
    }
}

/// Whether cargo sets the variable `name` for the one package it builds or
/// runs (cargo's own, such as `CARGO_HOME`, stay).
fn is_package_variable(name: &str) -> bool {
    const PREFIXES: [&str; 4] = [
        "CARGO_PKG_",
        "CARGO_MANIFEST_",
        "CARGO_CRATE_",
        "CARGO_BIN_",
    ];
    const NAMES: [&str; 3] =
        ["CARGO_TARGET_TMPDIR", "CARGO_PRIMARY_PACKAGE", "OUT_DIR"];
    PREFIXES.iter().any(|prefix| name.starts_with(prefix))
        || NAMES.contains(&name)
}

/// Whether the process `pid` is still in the process table (Linux): running,
/// or exited and not yet waited for (a zombie).
///
/// Tests of listings that start worker processes check with it that a stopped
/// pool, a dropped guard or a killed crew left nothing behind: only a child that
/// was killed *and* reaped is gone from `/proc`.
pub fn process_exists(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// The one-minute load average from `/proc/loadavg` (Linux), or `None` where
/// there is no such file.
///
/// Listings that measure speedups print it: it says how many threads of other
/// programs wanted a core just before the run, that is, how many of the cores
/// the measurement assumed free were in fact taken.
pub fn load_average() -> Option<f64> {
    one_minute_load(&std::fs::read_to_string("/proc/loadavg").ok()?)
}

/// The first of the three load averages in the text of `/proc/loadavg`.
fn one_minute_load(loadavg: &str) -> Option<f64> {
    loadavg.split_whitespace().next()?.parse().ok()
}

/// A duration as the book prints it: three significant digits and a unit
/// (`812 µs`, `12.3 ms`, `1.25 s`), readable by people and matched by the
/// output tests.
pub fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    let (value, unit) = if seconds >= 1.0 {
        (seconds, "s")
    } else if seconds >= 1e-3 {
        (seconds * 1e3, "ms")
    } else if seconds >= 1e-6 {
        (seconds * 1e6, "µs")
    } else {
        (seconds * 1e9, "ns")
    };
    format!("{} {unit}", three_significant_digits(value))
}

/// The value below which `fraction` of the `sorted` samples lie, by the
/// nearest-rank rule: `percentile(&latencies, 0.99)` is the p99 latency. Zero
/// for no samples.
///
/// Load clients report p50 and p99 of their call latencies; sorting once and
/// picking ranks is exact, and for the few thousand samples a listing takes,
/// fast enough.
pub fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let Some(last) = sorted.len().checked_sub(1) else {
        return Duration::ZERO;
    };
    let rank = (fraction.clamp(0.0, 1.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.saturating_sub(1).min(last)]
}

/// A speedup, `baseline / faster`, printed as a ratio such as `1.94×`.
pub fn format_speedup(baseline: Duration, faster: Duration) -> String {
    let ratio =
        baseline.as_secs_f64() / faster.as_secs_f64().max(f64::MIN_POSITIVE);
    format!("{ratio:.2}×")
}

fn three_significant_digits(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_pick_a_unit_and_three_digits() {
        assert_eq!(format_duration(Duration::from_nanos(250)), "250 ns");
        assert_eq!(format_duration(Duration::from_micros(812)), "812 µs");
        assert_eq!(format_duration(Duration::from_micros(12_345)), "12.3 ms");
        assert_eq!(format_duration(Duration::from_millis(1_250)), "1.25 s");
        assert_eq!(format_duration(Duration::from_secs(125)), "125 s");
    }

    #[test]
    fn load_average_is_the_first_number_of_proc_loadavg() {
        assert_eq!(one_minute_load("0.42 0.30 0.25 1/123 4567\n"), Some(0.42));
        assert_eq!(one_minute_load(""), None);
        if !std::path::Path::new("/proc/loadavg").exists() {
            assert_eq!(load_average(), None);
            return;
        }
        // The kernel updates the file every five seconds: a reading taken
        // between two equal ones must agree with them.
        for _ in 0..5 {
            let before = std::fs::read_to_string("/proc/loadavg").unwrap();
            let load = load_average();
            let after = std::fs::read_to_string("/proc/loadavg").unwrap();
            if before == after {
                assert_eq!(load, one_minute_load(&before), "{before}");
                return;
            }
        }
        panic!("/proc/loadavg changed between every two readings");
    }

    #[test]
    fn package_variables_are_those_cargo_sets_for_one_package() {
        for name in [
            "CARGO_PKG_NAME",
            "CARGO_MANIFEST_DIR",
            "CARGO_CRATE_NAME",
            "CARGO_BIN_EXE_listing",
            "CARGO_TARGET_TMPDIR",
            "CARGO_PRIMARY_PACKAGE",
            "OUT_DIR",
        ] {
            assert!(is_package_variable(name), "{name}");
        }
        for name in ["CARGO_HOME", "CARGO_TARGET_DIR", "PATH", "RUSTFLAGS"] {
            assert!(!is_package_variable(name), "{name}");
        }
    }

    #[test]
    fn a_command_inherits_none_of_the_package_variables() {
        // `cargo test` gives the test `CARGO_PKG_NAME`; run on its own, the
        // test starts a copy of itself that has it.
        if std::env::var_os("CARGO_PKG_NAME").is_none() {
            let this_test =
                "tests::a_command_inherits_none_of_the_package_variables";
            let copy =
                std::process::Command::new(std::env::current_exe().unwrap())
                    .args([this_test, "--exact"])
                    .env("CARGO_PKG_NAME", "book-helpers")
                    .output()
                    .unwrap();
            let report = String::from_utf8_lossy(&copy.stdout);
            assert!(copy.status.success(), "{report}");
            assert!(report.contains("1 passed"), "{report}");
            return;
        }
        let mut env = std::process::Command::new("env");
        env.env("KEPT", "yes");
        without_package_env(&mut env);
        let output = env.output().expect("env runs");
        let variables = String::from_utf8_lossy(&output.stdout);
        let names: Vec<&str> = variables
            .lines()
            .filter_map(|line| Some(line.split_once('=')?.0))
            .collect();
        assert!(names.contains(&"KEPT"), "{names:?}");
        assert!(
            !names.iter().any(|name| is_package_variable(name)),
            "{names:?}"
        );
    }

    #[test]
    fn a_process_exists_until_it_is_reaped() {
        assert!(process_exists(std::process::id()));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        assert!(process_exists(pid), "a child not yet waited for is there");
        child.wait().unwrap();
        assert!(!process_exists(pid), "a reaped child is gone");
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let samples: Vec<Duration> =
            (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&samples, 0.5), Duration::from_millis(50));
        assert_eq!(percentile(&samples, 0.99), Duration::from_millis(99));
        assert_eq!(percentile(&samples, 1.0), Duration::from_millis(100));
        assert_eq!(percentile(&samples, 0.0), Duration::from_millis(1));
        assert_eq!(percentile(&samples[..1], 0.99), Duration::from_millis(1));
        assert_eq!(percentile(&[], 0.5), Duration::ZERO);
    }

    #[test]
    fn speedup_is_baseline_over_faster() {
        let speedup = format_speedup(
            Duration::from_millis(300),
            Duration::from_millis(100),
        );
        assert_eq!(speedup, "3.00×");
    }

    #[test]
    fn timed_returns_the_result_and_a_duration() {
        let (value, took) = timed(|| {
            thread::sleep(Duration::from_millis(5));
            42
        });
        assert_eq!(value, 42);
        assert!(took >= Duration::from_millis(5));
    }

    #[test]
    fn finishes_within_returns_the_result_of_quick_work() {
        assert_eq!(finishes_within(Duration::from_secs(10), || 6 * 7), 42);
    }

    #[test]
    #[should_panic(expected = "did not finish within")]
    fn finishes_within_fails_work_that_never_ends() {
        finishes_within(Duration::from_millis(50), || {
            let (_keep_open, never) = mpsc::channel::<()>();
            never.recv().ok()
        });
    }

    #[test]
    #[should_panic(expected = "the work's own panic")]
    fn finishes_within_passes_on_a_panic() {
        finishes_within(Duration::from_secs(10), || {
            panic!("the work's own panic")
        });
    }
}
