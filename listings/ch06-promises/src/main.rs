//! A value that exists later: a promise kept by another thread, a promise
//! broken, join handles as promises, and a pool that returns them.

use std::panic;
use std::thread;
use std::time::Duration;

use ch06_promises::oneshot::{NoValue, promise};
use ch06_promises::pool::ThreadPool;
use clap::Parser;

/// Shows a one-shot promise, a broken promise, JoinHandle as a promise that
/// carries a panic, and a thread pool whose submit returns a pending result.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Threads in the pool (1 to 64).
    #[arg(long, default_value_t = 2,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    threads: u16,

    /// Tasks submitted to the pool (1 to 10000).
    #[arg(long, default_value_t = 8,
          value_parser = clap::value_parser!(u16).range(1..=10_000))]
    tasks: u16,
}

// ANCHOR: main
fn main() {
    let args = Args::parse();
    quiet_panics();

    let (answer, pending) = promise();
    thread::spawn(move || answer.fulfil(6 * 7));
    println!("promise kept:    {:?}", pending.wait());

    let (forgotten, pending) = promise::<u32>();
    let early = pending.wait_timeout(Duration::from_millis(10));
    thread::spawn(move || drop(forgotten))
        .join()
        .expect("no panic");
    println!(
        "promise broken:  {early:?} at first, then {:?}",
        pending.wait()
    );

    let handles: Vec<thread::JoinHandle<u64>> = (1..=4)
        .map(|n| thread::spawn(move || (1..=n).product()))
        .collect();
    let factorials: Vec<u64> = handles
        .into_iter()
        .map(|h| h.join().expect("no panic"))
        .collect();
    let failed = thread::spawn(|| -> u64 { panic!("no result today") }).join();
    let message = failed.map_err(|p| *p.downcast::<&str>().expect("a &str"));
    println!(
        "JoinHandle:      {factorials:?}; a panicking thread: {message:?}"
    );

    let pool = ThreadPool::new(usize::from(args.threads));
    let pending: Vec<_> = (0..u64::from(args.tasks))
        .map(|n| pool.submit(move || n * n))
        .collect(); // all submitted before any is awaited
    let doomed = pool.submit(|| -> u64 { panic!("this task fails") });
    let after = pool.submit(|| "still working");
    let squares: Result<Vec<u64>, NoValue> =
        pending.into_iter().map(|p| p.wait()).collect();
    println!(
        "pool of {}:       {squares:?}; a panicking task: {:?}; then: {:?}",
        args.threads,
        doomed.wait(),
        after.wait()
    );
}
// ANCHOR_END: main

/// Two panics below are deliberate; report each in one line on stderr
/// instead of the default message and backtrace.
fn quiet_panics() {
    panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .copied()
            .unwrap_or("(no message)");
        eprintln!("(a thread panicked on purpose: {message})");
    }));
}
