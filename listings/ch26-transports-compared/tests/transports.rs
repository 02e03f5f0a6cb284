//! Every transport delivers every message (the program checks the peer's count
//! and fails otherwise); the table has its four rows whatever the sizes.

use book_helpers::cli::{self, assert_help_mentions, assert_refused};

const BINARY: &str = env!("CARGO_BIN_EXE_ch26-transports-compared");

#[test]
fn help_and_bad_arguments() {
    assert_help_mentions(BINARY, &["--messages", "--round-trips", "--size"]);
    assert_refused(
        BINARY,
        &[&["--messages", "0"], &["--size", "70000"], &["--what"]],
    );
}

#[test]
fn every_transport_delivers_every_message_at_any_size() {
    for (messages, round_trips, size) in [
        ("1", "1", "1"),
        ("1000", "100", "64"),
        ("3000", "50", "65536"),
        ("20000", "500", "8"),
    ] {
        let ran = cli::run(
            BINARY,
            &[
                "--messages",
                messages,
                "--round-trips",
                round_trips,
                "--size",
                size,
            ],
        );
        assert!(ran.succeeded(), "{}", ran.stderr);
        for row in [
            "crossbeam channel (threads)",
            "zmq inproc (threads)",
            "zmq ipc (processes)",
            "zmq tcp 127.0.0.1 (processes)",
        ] {
            assert_eq!(ran.rows_starting_with(row).len(), 1, "{}", ran.stdout);
        }
    }
}

#[test]
fn a_peer_with_no_one_to_talk_to_fails_clearly() {
    let ran = cli::run(
        BINARY,
        &[
            "peer",
            "--endpoint",
            "tcp://127.0.0.1:1",
            "--messages",
            "1",
            "--round-trips",
            "1",
        ],
    );
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    assert!(ran.stderr.contains("went silent"), "{}", ran.stderr);
}
