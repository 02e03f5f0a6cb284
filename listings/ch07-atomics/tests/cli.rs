//! The program as a reader runs it. Its output varies in one place only — how
//! often the Release/Acquire handshake misses — so these tests check what
//! must hold in every run instead of comparing text.

use book_helpers::cli::{assert_help_mentions, assert_refused, run};

const BINARY: &str = env!("CARGO_BIN_EXE_ch07-atomics");

/// The number of rounds in which both parties missed, from a handshake row.
fn missed(row: &str) -> u32 {
    let after = row.split("both missed in ").nth(1).expect("a count");
    after.split(' ').next().unwrap().parse().expect("a number")
}

#[test]
fn every_correct_pattern_reports_a_correct_result() {
    for threads in ["1", "3", "4"] {
        let ran = run(BINARY, &["--threads", threads, "--rounds", "5000"]);
        assert!(ran.succeeded(), "{}", ran.stderr);
        let want = format!("{threads} × 100000 = {threads}00000");
        assert!(ran.rows_starting_with("Relaxed ")[0].ends_with(&want));
        assert!(
            ran.rows_starting_with("Acquire/Release  spinlock")[0]
                .ends_with(&want)
        );
        let mailbox = ran.rows_starting_with("Release/Acquire  mailbox");
        assert!(mailbox[0].contains("read whole: true (2000 rounds)"));
        let fenced = ran.rows_starting_with("SeqCst fence");
        assert_eq!(missed(fenced[0]), 0, "the SeqCst fence never misses");
        let unfenced = ran.rows_starting_with("Release/Acquire  handshake");
        // Any count is possible here, including 0 on a quiet or 1-core run.
        assert!(missed(unfenced[0]) <= 5000);
        // The timed comparison: a header, then one row per lock with its
        // median, its range and its ratio to Mutex (1.00× for Mutex itself).
        assert_eq!(ran.rows_starting_with("machine: ").len(), 1);
        for lock in ["std::sync::Mutex ", "SpinLock "] {
            let row = ran.rows_starting_with(lock);
            assert_eq!(row.len(), 1, "{lock}: {}", ran.stdout);
            let timed = row[0].ends_with('×') && row[0].contains(" – ");
            assert!(timed, "{row:?}");
        }
        let mutex = ran.rows_starting_with("std::sync::Mutex ")[0];
        assert!(mutex.ends_with(" 1.00×"), "{mutex}");
    }
}

#[test]
fn help_and_bad_arguments() {
    assert_help_mentions(BINARY, &["--threads", "--rounds"]);
    assert_refused(
        BINARY,
        &[
            &["--threads", "0"],
            &["--threads", "65"],
            &["--rounds", "0"],
            &["--rounds", "many"],
            &["--what"],
        ],
    );
}
