//! Against a real broker (tansu, started and killed by the program): a consumer
//! killed with SIGKILL loses nothing when it resumes from its stored offset,
//! while a PUB/SUB subscriber loses what was published while it was dead.
//!
//! These tests need `tansu`; without it they fail, and the listing's error
//! names `cargo xtask setup`.

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};

const BINARY: &str = env!("CARGO_BIN_EXE_ch27-consumer-restart");

#[test]
fn help_and_bad_arguments() {
    assert_help_mentions(
        BINARY,
        &["--events", "--kill-after", "--commit-every"],
    );
    let help = cli::run(BINARY, &["--help"]).stdout;
    assert!(!help.contains("Commands:"), "{help}");
    assert_refused(
        BINARY,
        &[&["--events", "10"], &["--commit-every", "0"], &["--what"]],
    );
}

/// (processed, events, lost, processed twice) from the two `processed …` lines.
fn tallies(ran: &Ran) -> Vec<[u64; 4]> {
    ran.rows_starting_with("  processed ")
        .iter()
        .map(|row| {
            let numbers: Vec<u64> = row
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|word| word.parse().ok())
                .collect();
            numbers.try_into().expect("four counts")
        })
        .collect()
}

#[test]
fn the_log_loses_nothing_and_pub_sub_loses_what_it_sent_meanwhile_stress() {
    for (events, kill_after, commit_every) in [
        (2_000, 650, 100),
        (200, 30, 7),
        (1_000, 10, 1),
        (600, 250, 64),
        (3_000, 1_200, 500),
    ] {
        let numbers =
            [events, kill_after, commit_every].map(|n: u64| n.to_string());
        let args = [
            "--events",
            &numbers[0],
            "--kill-after",
            &numbers[1],
            "--commit-every",
            &numbers[2],
        ];
        let ran = cli::run(BINARY, &args);
        // The broker's absence shows in stderr, whose error names `cargo xtask
        // setup`.
        assert!(ran.succeeded(), "{args:?}: {}", ran.stderr);
        let out = &ran.stdout;
        let [log, pub_sub] = tallies(&ran)[..] else {
            panic!("two tallies: {out}");
        };
        // The log: every event processed, the repeats only those after the last
        // stored offset.
        let [processed, total, lost, twice] = log;
        assert_eq!((total, lost), (events, 0), "{out}");
        assert_eq!(processed, events + twice, "{out}");
        assert!(twice <= commit_every, "{out}");
        assert!(out.contains("consumer 1 killed with SIGKILL"), "{out}");
        // PUB/SUB: nothing twice, and every event published after the kill
        // gone.
        let [processed, total, lost, twice] = pub_sub;
        assert_eq!((total, twice), (events, 0), "{out}");
        // The kill line must be there: without it nothing below is checked.
        let (before_kill, published_on) = out
            .split_once("subscriber 1 killed with SIGKILL after processing ")
            .and_then(|(_, rest)| rest.split_once(" events; events "))
            .and_then(|(before, rest)| {
                rest.split_once("..").map(|(from, _)| (before, from))
            })
            .unwrap_or_else(|| {
                panic!("no line says when the kill came: {out}")
            });
        let before_kill: u64 = before_kill.parse().expect("a count");
        let from: u64 = published_on.parse().expect("a number");
        // The second subscriber gets nothing that was sent before it joined:
        // all that was processed, the first one processed before its kill,
        // and everything published while nobody listened is gone.
        assert_eq!(processed, before_kill, "{out}");
        assert!(lost >= events - from, "{out}");
        assert!(lost > 0, "{out}");
    }
}
