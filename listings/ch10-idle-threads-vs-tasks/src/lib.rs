//! What it costs to keep many activities waiting: a thread each, or a task
//! each.
//!
//! Every waiter blocks until it is told to finish, like a connection with
//! nothing to say. The cost is read from the kernel's own account of the
//! process (`VmRSS` in `/proc/self/status`), before the waiters start and while
//! all of them wait.

use std::io;
use std::sync::{Arc, Barrier, mpsc};
use std::thread;

/// The process's resident memory in bytes, as the kernel counts it.
pub fn resident_bytes() -> io::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kib| kib.trim().parse::<u64>().ok())
        .map(|kib| kib * 1024)
        .ok_or_else(|| io::Error::other("no VmRSS line in /proc/self/status"))
}

// ANCHOR: threads
/// Starts `count` threads that each wait on a channel, measures the memory
/// while all of them wait, then releases them. Returns (bytes added, threads
/// that finished).
pub fn idle_threads(count: usize) -> io::Result<(u64, usize)> {
    let before = resident_bytes()?;
    let all_waiting = Arc::new(Barrier::new(count + 1));
    let mut releases = Vec::with_capacity(count);
    let mut waiters = Vec::with_capacity(count);
    for _ in 0..count {
        let (release, wait) = mpsc::channel::<()>();
        let all_waiting = Arc::clone(&all_waiting);
        let waiter = thread::Builder::new().spawn(move || {
            all_waiting.wait();
            // Blocks in the kernel until the sender is dropped: an idle
            // connection.
            let _ = wait.recv();
        })?;
        releases.push(release);
        waiters.push(waiter);
    }
    all_waiting.wait();
    let during = resident_bytes()?;
    drop(releases);
    let finished = waiters.into_iter().filter_map(|w| w.join().ok()).count();
    Ok((during.saturating_sub(before), finished))
}
// ANCHOR_END: threads

// ANCHOR: tasks
/// The same with `count` tasks on a current-thread runtime, each awaiting a
/// oneshot.
pub fn idle_tasks(count: usize) -> io::Result<(u64, usize)> {
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let before = resident_bytes()?;
    runtime.block_on(async {
        let mut releases = Vec::with_capacity(count);
        let mut waiters = Vec::with_capacity(count);
        for _ in 0..count {
            let (release, wait) = tokio::sync::oneshot::channel::<()>();
            // Parked until the sender is dropped: a few hundred bytes, no stack
            // of its own.
            waiters.push(tokio::spawn(async move {
                let _ = wait.await;
            }));
            releases.push(release);
        }
        // Let every task run up to its first await, so each is really parked.
        tokio::task::yield_now().await;
        let during = resident_bytes()?;
        drop(releases);
        let mut finished = 0;
        for waiter in waiters {
            finished += usize::from(waiter.await.is_ok());
        }
        Ok((during.saturating_sub(before), finished))
    })
}
// ANCHOR_END: tasks
