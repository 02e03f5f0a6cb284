//! Two real processes share the ring: a million numbers arrive once and in
//! order; and when either process is killed mid-stream, the other says so
//! and exits within a bounded time — over the ring, a pipe and a socket.

use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use ch16_shared_memory_ring::shm::Mapping;

const BINARY: &str = env!("CARGO_BIN_EXE_ch16-shared-memory-ring");
const LIMIT: Duration = Duration::from_secs(60);

/// A fresh shared file, removed when the test is done with it.
struct SharedFile(PathBuf);

impl SharedFile {
    fn new() -> SharedFile {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "ch16-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let path = PathBuf::from("/dev/shm").join(name);
        Mapping::create(&path).expect("/dev/shm is writable");
        SharedFile(path)
    }
}

impl Drop for SharedFile {
    fn drop(&mut self) {
        std::fs::remove_file(&self.0).ok();
    }
}

fn role(name: &str, count: u64, file: Option<&SharedFile>) -> Command {
    let mut command = Command::new(BINARY);
    command.args([name, "--count", &count.to_string()]);
    if let Some(file) = file {
        command.arg("--path").arg(&file.0);
    }
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    command
}

fn spawn(mut command: Command) -> Child {
    command.spawn().expect("the role starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_million_numbers_cross_the_ring_once_and_in_order() {
    finishes_within(LIMIT, || {
        for count in [1, 4095, 4096, 4097, 1_000_000] {
            let file = SharedFile::new();
            let consumer = spawn(role("ring-consumer", count, Some(&file)));
            let mut producer = spawn(role("ring-producer", count, Some(&file)));
            let consumed = consumer.wait_with_output().expect("reaped");
            assert!(producer.wait().expect("reaped").success());
            // The consumer checks that number i arrives as the i-th: a lost,
            // repeated or reordered number would have failed it.
            assert!(consumed.status.success(), "{}", text(&consumed.stderr));
            let sum = count * (count - 1) / 2;
            assert_eq!(text(&consumed.stdout).trim(), sum.to_string());
        }
    });
}

/// Starts both sides, lets data flow, kills `victim`, and returns what the
/// survivor printed.
fn kill_mid_stream(mut victim: Child, survivor: Child) -> Output {
    thread::sleep(Duration::from_millis(200));
    victim.kill().expect("the victim can be killed");
    victim.wait().expect("reaped");
    survivor.wait_with_output().expect("reaped")
}

fn assert_reports(output: &Output, words: &str) {
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(stderr.contains(words), "expected {words:?} in {stderr}");
}

const ENDLESS: u64 = 100_000_000;

#[test]
fn the_consumer_reports_a_killed_producer_over_the_ring() {
    let output = finishes_within(LIMIT, || {
        let file = SharedFile::new();
        let consumer = spawn(role("ring-consumer", ENDLESS, Some(&file)));
        let producer = spawn(role("ring-producer", ENDLESS, Some(&file)));
        kill_mid_stream(producer, consumer)
    });
    assert_reports(&output, "the producer (pid ");
    assert_reports(&output, ") died after ");
}

#[test]
fn the_producer_reports_a_killed_consumer_over_the_ring() {
    let output = finishes_within(LIMIT, || {
        let file = SharedFile::new();
        let consumer = spawn(role("ring-consumer", ENDLESS, Some(&file)));
        let producer = spawn(role("ring-producer", ENDLESS, Some(&file)));
        kill_mid_stream(consumer, producer)
    });
    assert_reports(&output, "the consumer (pid ");
}

#[test]
fn both_sides_report_a_killed_peer_over_a_pipe_and_a_socket() {
    for socket in [false, true] {
        for kill_producer in [false, true] {
            let output = finishes_within(LIMIT, move || {
                let mut consumer = role("stream-consumer", ENDLESS, None);
                let mut producer = role("stream-producer", ENDLESS, None);
                if socket {
                    let (into, out_of) = UnixStream::pair().expect("a pair");
                    consumer.stdin(OwnedFd::from(out_of));
                    producer.stdout(OwnedFd::from(into));
                } else {
                    consumer.stdin(Stdio::piped());
                }
                let mut consumer = spawn(consumer);
                if !socket {
                    let pipe = consumer.stdin.take().expect("piped");
                    producer.stdout(pipe);
                }
                // `spawn` drops each command and with it this process's
                // copy of the pipe or socket end: only the two children
                // hold the connection, so one's death reaches the other.
                let producer = spawn(producer);
                if kill_producer {
                    kill_mid_stream(producer, consumer)
                } else {
                    kill_mid_stream(consumer, producer)
                }
            });
            let words = if kill_producer {
                "the producer's stream ended after"
            } else {
                "the consumer went away"
            };
            assert_reports(&output, words);
        }
    }
}
