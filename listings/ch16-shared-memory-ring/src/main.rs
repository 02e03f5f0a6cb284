//! Moves numbers from one process to another three ways — through a ring
//! buffer in shared memory, a pipe, and a Unix socket — checks that every
//! number arrives once and in order, and times each way.

use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};

use book_helpers::cli;
use book_helpers::format_speedup;
use book_helpers::measure::{Machine, interleaved};
use ch16_shared_memory_ring::ring::Consumer;
use ch16_shared_memory_ring::shm::{CAPACITY, Mapping, SharedRing, wait_for};
use ch16_shared_memory_ring::stream;
use ch16_shared_memory_ring::sync::Ordering;
use clap::{Parser, Subcommand};

/// Measured rounds of each way, in turn, after a warm-up round.
const ROUNDS: usize = 5;

/// Moves COUNT numbers between two processes through shared memory, a pipe
/// and a Unix socket, and checks that each arrives exactly once, in order.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Numbers to move (1 to 100000000).
    #[arg(long, default_value_t = 1_000_000,
          value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    count: u64,

    /// Folder for the shared file: a memory-backed file system.
    #[arg(long, default_value = "/dev/shm")]
    dir: PathBuf,

    #[command(subcommand)]
    role: Option<Role>,
}

/// What a child process started by the parent does.
#[derive(Subcommand)]
enum Role {
    #[command(hide = true)]
    RingProducer {
        #[arg(long)]
        path: PathBuf,
        #[arg(long)]
        count: u64,
    },
    #[command(hide = true)]
    RingConsumer {
        #[arg(long)]
        path: PathBuf,
        #[arg(long)]
        count: u64,
    },
    /// Writes the numbers to stdout (a pipe or a socket).
    #[command(hide = true)]
    StreamProducer {
        #[arg(long)]
        count: u64,
    },
    /// Reads the numbers from stdin and prints their sum.
    #[command(hide = true)]
    StreamConsumer {
        #[arg(long)]
        count: u64,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.role {
        Some(Role::RingProducer { path, count }) => ring_producer(&path, count),
        Some(Role::RingConsumer { path, count }) => {
            ring_consumer(&path, count).map(|sum| println!("{sum}"))
        }
        Some(Role::StreamProducer { count }) => {
            stream::produce(io::stdout().lock(), count)
        }
        Some(Role::StreamConsumer { count }) => {
            stream::consume(io::stdin().lock(), count).map(|s| println!("{s}"))
        }
        None => compare(args.count, &args.dir),
    };
    cli::exit_code(result)
}

// ANCHOR: producer
fn ring_producer(path: &Path, count: u64) -> io::Result<()> {
    let mapping = Mapping::open(path)?;
    let ring = mapping.ring();
    ring.producer_pid
        .store(std::process::id(), Ordering::Release);
    let mut producer = ring.producer();
    for value in 0..count {
        if producer.try_push(value).is_err() {
            // Full: wait for the consumer, as long as it lives.
            let pid = &ring.consumer_pid;
            wait_for(pid, "consumer", || producer.try_push(value).ok())
                .map_err(|e| after(e, value, count))?;
        }
    }
    producer.close();
    Ok(())
}
// ANCHOR_END: producer

// ANCHOR: consumer
fn ring_consumer(path: &Path, count: u64) -> io::Result<u64> {
    let mapping = Mapping::open(path)?;
    let ring = mapping.ring();
    ring.consumer_pid
        .store(std::process::id(), Ordering::Release);
    let mut consumer = ring.consumer();
    let mut sum = 0;
    for expected in 0..count {
        let value = match consumer.try_pop() {
            Some(value) => value,
            None => next_after_wait(ring, &mut consumer)
                .map_err(|e| after(e, expected, count))?,
        };
        sum += stream::check(value, expected)?;
    }
    Ok(sum)
}

/// Empty: wait for the producer. A ring that is closed and empty before
/// all values arrived means the producer stopped early.
fn next_after_wait(
    ring: &SharedRing,
    consumer: &mut Consumer<'_, CAPACITY>,
) -> io::Result<u64> {
    let pid = &ring.producer_pid;
    let next = wait_for(pid, "producer", || match consumer.try_pop() {
        Some(value) => Some(Some(value)),
        None if ring.is_closed() => Some(consumer.try_pop()),
        None => None,
    })?;
    next.ok_or_else(|| io::Error::other("the producer closed the ring"))
}
// ANCHOR_END: consumer

fn after(error: io::Error, done: u64, count: u64) -> io::Error {
    io::Error::other(format!("{error} after {done} of {count} items"))
}

#[derive(Clone, Copy)]
enum Way {
    Ring,
    Pipe,
    Socket,
}

/// Removes the shared file when the transfer is over, however it ended.
struct Removed<'a>(&'a Path);

impl Drop for Removed<'_> {
    fn drop(&mut self) {
        std::fs::remove_file(self.0).ok();
    }
}

// ANCHOR: transfer
/// Starts a producer and a consumer process connected one of three ways,
/// and returns the sum the consumer printed.
fn transfer(way: Way, count: u64, dir: &Path) -> io::Result<u64> {
    let exe = std::env::current_exe()?;
    let role = |name: &str| {
        let mut command = Command::new(&exe);
        command.args([name, "--count", &count.to_string()]);
        command
    };
    let mut consumer;
    let producer;
    match way {
        Way::Ring => {
            let path = dir.join(format!("ch16-ring-{}", std::process::id()));
            Mapping::create(&path).map_err(|e| shm_error(e, dir))?;
            let _removed = Removed(&path);
            consumer = role("ring-consumer")
                .arg("--path")
                .arg(&path)
                .stdout(Stdio::piped())
                .spawn()?;
            producer =
                role("ring-producer").arg("--path").arg(&path).spawn()?;
            // `_removed` deletes the file when both have finished.
            return finish(producer, consumer);
        }
        Way::Pipe => {
            consumer = role("stream-consumer")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()?;
            let pipe = consumer.stdin.take().expect("stdin was piped");
            producer = role("stream-producer").stdout(pipe).spawn()?;
        }
        Way::Socket => {
            let (into, out_of) = UnixStream::pair()?;
            consumer = role("stream-consumer")
                .stdin(OwnedFd::from(out_of))
                .stdout(Stdio::piped())
                .spawn()?;
            producer = role("stream-producer")
                .stdout(OwnedFd::from(into))
                .spawn()?;
        }
    }
    finish(producer, consumer)
}
// ANCHOR_END: transfer

fn finish(mut producer: Child, consumer: Child) -> io::Result<u64> {
    let consumed = consumer.wait_with_output()?;
    let produced = producer.wait()?;
    if !produced.success() || !consumed.status.success() {
        return Err(io::Error::other(format!(
            "producer {produced}, consumer {}",
            consumed.status
        )));
    }
    let sum = String::from_utf8_lossy(&consumed.stdout);
    sum.trim().parse().map_err(io::Error::other)
}

fn shm_error(error: io::Error, dir: &Path) -> io::Error {
    io::Error::other(format!(
        "cannot create the shared file in {}: {error} (pass --dir with a \
         writable folder, preferably on tmpfs)",
        dir.display()
    ))
}

fn compare(count: u64, dir: &Path) -> io::Result<()> {
    let machine = Machine::now();
    let expected = count * (count - 1) / 2;
    let check = |name: &str, way: Way| {
        let sum = transfer(way, count, dir)?;
        if sum != expected {
            return Err(io::Error::other(format!(
                "{name}: sum {sum}, expected {expected}"
            )));
        }
        Ok(())
    };
    let mut pipe = || check("pipe", Way::Pipe);
    let mut socket = || check("Unix socket", Way::Socket);
    let mut ring = || check("shared ring", Way::Ring);
    let results =
        interleaved(ROUNDS, &mut [&mut pipe, &mut socket, &mut ring])?;
    println!("{}", machine.header());
    println!(
        "moving {count} numbers from one process to another \
         (ring: {CAPACITY} slots, {} bytes shared)",
        size_of::<SharedRing>()
    );
    println!(
        "every way, every round: all {count} arrived once and in order, \
         sum {expected}"
    );
    println!(
        "{ROUNDS} rounds, the three ways in turn, after a warm-up round; \
         median (fastest – slowest)"
    );
    println!();
    println!("{:<12} {:>29} {:>8}", "way", "time", "vs pipe");
    let pipe = results[0].0.median();
    let names = ["pipe", "Unix socket", "shared ring"];
    for (name, (times, ())) in names.iter().zip(&results) {
        let vs_pipe = format_speedup(pipe, times.median());
        println!("{name:<12} {:>29} {vs_pipe:>8}", times.display());
    }
    Ok(())
}
