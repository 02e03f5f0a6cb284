//! What it costs to start an activity and wait for it to finish: a tokio
//! task, a thread, a process.

use std::io;
use std::process::Command;
use std::thread;
use std::time::Duration;

use book_helpers::measure::{Machine, interleaved};
use book_helpers::{format_duration, format_speedup};

/// Rounds per kind, the kinds in turn, after a warm-up round.
const ROUNDS: usize = 5;

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
    let machine = Machine::now();
    let mut task_batch = || Ok(tasks(&runtime, n));
    let mut thread_batch = || Ok(threads(n));
    let mut process_batch = || processes(n);
    let measured = interleaved(
        ROUNDS,
        &mut [&mut task_batch, &mut thread_batch, &mut process_batch],
    )?;
    let [
        (task_time, task_sum),
        (thread_time, thread_sum),
        (process_time, finished),
    ] = [&measured[0], &measured[1], &measured[2]];
    assert_eq!((*task_sum, *thread_sum), (expected, expected));
    if *finished != u64::from(n) {
        return Err(io::Error::other("a child process failed"));
    }

    let each = |total: Duration| format_duration(total / n);
    println!();
    println!("{}", machine.header());
    println!(
        "start {n} of each and wait for them; {ROUNDS} rounds, the kinds in turn;"
    );
    println!("cost of one, median (fastest – slowest) of the rounds");
    println!("{:<12} {:>30} {:>10}", "kind", "each", "vs a task");
    for (kind, total) in [
        ("tokio task", task_time),
        ("thread", thread_time),
        ("process", process_time),
    ] {
        let cost = format!(
            "{} ({} – {})",
            each(total.median()),
            each(total.fastest()),
            each(total.slowest())
        );
        let ratio = format_speedup(total.median(), task_time.median());
        println!("{kind:<12} {cost:>30} {ratio:>10}");
    }
    Ok(())
}
