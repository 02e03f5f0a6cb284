//! Against a real broker (tansu, started and killed by the program): keyed
//! records keep their order and reading from an offset removes nothing.
//!
//! These tests need `tansu`; without it they fail, and the listing's error
//! names `cargo xtask setup`.

use std::io;
use std::net::TcpStream;
use std::process::Command;

use book_helpers::cli::{self, Ran, assert_help_mentions, assert_refused};
use ch27_partitions_and_offsets::broker::Broker;

const BINARY: &str = env!("CARGO_BIN_EXE_ch27-partitions-and-offsets");

fn run(args: &[&str]) -> Ran {
    let ran = cli::run(BINARY, args);
    assert!(
        ran.succeeded(),
        "{args:?} failed (is tansu installed? `cargo xtask setup`):\n{}",
        ran.stderr
    );
    ran
}

#[test]
fn help_and_bad_arguments() {
    assert_help_mentions(BINARY, &["--partitions", "--orders"]);
    assert_refused(
        BINARY,
        &[&["--partitions", "0"], &["--orders", "101"], &["--what"]],
    );
}

#[test]
fn without_tansu_the_error_says_how_to_get_it() {
    let empty = std::env::temp_dir()
        .join(format!("ch27-no-tansu-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let mut command = Command::new(BINARY);
    // Nowhere to find the broker: not on PATH, not in the tool folder (which
    // `cargo xtask` names in BOOK_TOOLS_DIR), not in the default cache.
    command
        .env("PATH", &empty)
        .env("HOME", &empty)
        .env("XDG_CACHE_HOME", &empty)
        .env_remove("BOOK_TOOLS_DIR");
    let ran = cli::run_command(command);
    std::fs::remove_dir_all(&empty).ok();
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    assert!(ran.stderr.contains("cargo xtask setup"), "{}", ran.stderr);
}

#[test]
fn keyed_records_stay_in_one_partition_in_order() {
    let ran = run(&[]);
    let out = &ran.stdout;
    assert!(out.contains("in the order sent: true"), "{out}");
    let records: usize = ran
        .rows_starting_with("  partition ")
        .iter()
        .map(|row| {
            row.split_whitespace()
                .nth(2)
                .unwrap()
                .parse::<usize>()
                .unwrap()
        })
        .sum();
    assert_eq!(records, 20, "every order stored once: {out}");
    assert!(
        out.contains("offset 3: erin#1 alice#2 erin#2 alice#3 erin#3"),
        "{out}"
    );
    assert!(out.contains("still holds 8 records"), "{out}");
    for (partitions, orders) in
        [("1", "3"), ("2", "10"), ("5", "7"), ("16", "2")]
    {
        let ran = run(&["--partitions", partitions, "--orders", orders]);
        assert!(
            ran.stdout.contains("in the order sent: true"),
            "{}",
            ran.stdout
        );
    }
}

#[test]
fn dropping_the_guard_stops_the_broker() {
    let broker = Broker::start().expect("tansu starts (`cargo xtask setup`)");
    let address = broker.address.clone();
    TcpStream::connect(&address).expect("the broker listens");
    drop(broker);
    // The guard waits for the killed process, so its socket is closed by now.
    let error = TcpStream::connect(&address).expect_err("nothing listens");
    assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused, "{error}");
}
