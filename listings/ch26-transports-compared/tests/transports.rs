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

/// A peer process whose waits last at most 300 ms.
fn peer(endpoint: &str) -> cli::Ran {
    cli::run(
        BINARY,
        &[
            "peer",
            "--endpoint",
            endpoint,
            "--messages",
            "1",
            "--round-trips",
            "1",
            "--patience-ms",
            "300",
        ],
    )
}

#[test]
fn a_peer_with_no_one_to_talk_to_fails_clearly() {
    // Nobody listens on port 1: the hello never finds a connection.
    let ran = peer("tcp://127.0.0.1:1");
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    assert!(
        ran.stderr.contains(
            "error: no one at tcp://127.0.0.1:1: could not send the hello within 300 ms"
        ),
        "{}",
        ran.stderr
    );
}

#[test]
fn a_peer_whose_other_side_goes_silent_fails_clearly() {
    // Someone is there and takes the hello, then sends nothing.
    let context = zmq::Context::new();
    let silent = context.socket(zmq::DEALER).unwrap();
    silent.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = silent.get_last_endpoint().unwrap().unwrap();
    let ran = peer(&endpoint);
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    assert!(ran.stderr.contains("went silent"), "{}", ran.stderr);
    assert_eq!(silent.poll(zmq::POLLIN, 0).unwrap(), 1);
    assert_eq!(silent.recv_string(0).unwrap().unwrap(), "hello");
}
