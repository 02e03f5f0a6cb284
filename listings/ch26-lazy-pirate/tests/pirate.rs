//! The lazy pirate's promises: every request answered correctly through a crash
//! and restart, and a clear error (exit 1, no hang) when the server stays dead.

use book_helpers::cli::{self, assert_help_mentions, assert_refused};

const BINARY: &str = env!("CARGO_BIN_EXE_ch26-lazy-pirate");

#[test]
fn help_and_bad_arguments() {
    assert_help_mentions(
        BINARY,
        &[
            "--requests",
            "--crash-at",
            "--timeout-ms",
            "--tries",
            "--no-restart",
        ],
    );
    assert_refused(
        BINARY,
        &[
            &["--tries", "0"],
            &["--timeout-ms", "5"],
            &["--requests", "0"],
            &["--what"],
        ],
    );
}

#[test]
fn the_run_the_book_shows_answers_every_request_once() {
    let ran = cli::run(BINARY, &[]);
    assert!(ran.succeeded(), "{}", ran.stderr);
    for n in 1..=8_u64 {
        let answers: Vec<&str> = ran
            .stdout
            .lines()
            .filter(|line| {
                line.starts_with(&format!("  request {n}: {} (try ", n * n))
            })
            .collect();
        assert_eq!(
            answers.len(),
            1,
            "request {n} answered once: {}",
            ran.stdout
        );
    }
    let out = &ran.stdout;
    assert!(
        out.contains("  request 4: no reply within 250 ms, try 1 of 3 failed"),
        "{out}"
    );
    assert!(
        out.contains("8 requests, all answered; 1 needed a retry; 2 socket(s) opened; server restarted 1 time(s)"),
        "{out}"
    );
}

/// The sockets the client says it opened, and the failed tries it printed.
fn sockets_and_failures(out: &str) -> (u64, u64) {
    let opened = out
        .split_once(" socket(s) opened")
        .and_then(|(before, _)| before.rsplit(' ').next())
        .and_then(|count| count.parse().ok())
        .unwrap_or_else(|| panic!("no count of sockets opened: {out}"));
    let failures = out.lines().filter(|line| line.ends_with(" failed")).count();
    (opened, u64::try_from(failures).unwrap())
}

#[test]
fn a_crash_anywhere_is_survived_stress() {
    for round in 0..12_u64 {
        let crash_at = (round % 6 + 1).to_string();
        let requests = (round % 4 + 6).to_string();
        let ran = cli::run(
            BINARY,
            &[
                "--requests",
                &requests,
                "--crash-at",
                &crash_at,
                "--timeout-ms",
                "100",
                "--restart-after-ms",
                "20",
                "--tries",
                "5",
            ],
        );
        assert!(ran.succeeded(), "{}", ran.stderr);
        let summary =
            format!("{requests} requests, all answered; 1 needed a retry; ");
        assert!(ran.stdout.contains(&summary), "{}", ran.stdout);
        assert!(
            ran.stdout.contains("; server restarted 1 time(s)"),
            "{}",
            ran.stdout
        );
        // A socket is replaced after a silent try and only then: one for the
        // first request, and one more for each try that failed.
        let (opened, failures) = sockets_and_failures(&ran.stdout);
        assert!(failures >= 1, "{}", ran.stdout);
        assert_eq!(opened, 1 + failures, "{}", ran.stdout);
    }
}

#[test]
fn a_server_that_stays_dead_gets_a_clear_error_after_n_tries() {
    for tries in ["1", "3"] {
        let ran = cli::run(
            BINARY,
            &[
                "--no-restart",
                "--crash-at",
                "2",
                "--timeout-ms",
                "50",
                "--tries",
                tries,
            ],
        );
        assert_eq!(ran.code, Some(1), "{}", ran.stderr);
        let error = format!(
            "to request 2 after {tries} tries of 50.0 ms each; is the server running?"
        );
        assert!(ran.stderr.contains(&error), "{}", ran.stderr);
        assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
        let failures =
            ran.stdout.matches("  request 2: no reply within").count();
        assert_eq!(failures.to_string(), tries, "{}", ran.stdout);
    }
}

#[test]
fn no_crash_needs_no_retry() {
    let ran = cli::run(BINARY, &["--crash-at", "0", "--requests", "50"]);
    assert!(ran.succeeded(), "{}", ran.stderr);
    assert!(
        ran.stdout
            .contains("50 requests, all answered; 0 needed a retry; 1 socket(s) opened; server restarted 0 time(s)"),
        "{}",
        ran.stdout
    );
}
