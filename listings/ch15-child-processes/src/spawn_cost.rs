//! What it costs to start an activity and wait for it to finish: a tokio
//! task, a thread, a process.

use std::io;
use std::process::Command;
use std::thread;
use std::time::Duration;

use book_helpers::{fastest_of, format_duration, format_speedup};

/// Each kind is timed this many times and its fastest batch is kept.
const RUNS: usize = 3;

// ANCHOR: costs
fn tasks(runtime: &tokio::runtime::Runtime, n: u32) -> u64 {
    runtime.block_on(async {
        let handles: Vec<_> = (0..n)
            .map(|i| tokio::spawn(async move { u64::from(i) }))
            .collect();
        let mut sum = 0;
        for handle in handles {
            sum += handle.await.expect("the task does not panic");
        }
        sum
    })
}

fn threads(n: u32) -> u64 {
    let handles: Vec<_> = (0..n)
        .map(|i| thread::spawn(move || u64::from(i)))
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().expect("no panic"))
        .sum()
}

fn processes(n: u32) -> io::Result<u64> {
    let exe = std::env::current_exe()?;
    let children = (0..n)
        .map(|_| Command::new(&exe).arg("noop").spawn())
        .collect::<io::Result<Vec<_>>>()?;
    let mut finished = 0;
    for mut child in children {
        if child.wait()?.success() {
            finished += 1;
        }
    }
    Ok(finished)
}
// ANCHOR_END: costs

pub fn print_table(n: u32) -> io::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let expected = u64::from(n) * u64::from(n - 1) / 2;
    let (task_sum, task_time) = fastest_of(RUNS, || tasks(&runtime, n));
    let (thread_sum, thread_time) = fastest_of(RUNS, || threads(n));
    let (finished, process_time) = fastest_of(RUNS, || processes(n));
    let finished = finished?;
    assert_eq!((task_sum, thread_sum), (expected, expected));
    if finished != u64::from(n) {
        return Err(io::Error::other("a child process failed"));
    }

    let each = |total: Duration| total / n;
    println!();
    println!("start {n} of each and wait for them (fastest of {RUNS} runs):");
    println!("{:<12} {:>10} {:>10}", "kind", "each", "vs a task");
    for (kind, total) in [
        ("tokio task", task_time),
        ("thread", thread_time),
        ("process", process_time),
    ] {
        let cost = format_duration(each(total));
        let ratio = format_speedup(total, task_time);
        println!("{kind:<12} {cost:>10} {ratio:>10}");
    }
    Ok(())
}
