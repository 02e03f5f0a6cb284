//! The three lock-free structures at work, each checked against what one
//! thread would produce.

use std::thread;

use ch08_lock_free::queues::{through_array_queue, through_seg_queue};
use ch08_lock_free::stealing::parallel_sum;
use ch08_lock_free::treiber::TreiberStack;
use clap::Parser;

/// Moves items through crossbeam's ArrayQueue and SegQueue, sums a range
/// on a work-stealing scheduler, and pushes and pops a Treiber stack from
/// several threads.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Worker threads (1 to 64).
    #[arg(long, default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    workers: u16,

    /// Items per producer, and per stack thread (1 to 1000000).
    #[arg(long, default_value_t = 50_000,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    items: u32,
}

// ANCHOR: main
fn main() {
    let args = Args::parse();
    let workers = usize::from(args.workers);
    let items = args.items as usize;

    for (name, got) in [
        ("ArrayQueue(64)", through_array_queue(2, 2, items, 64)),
        ("SegQueue", through_seg_queue(2, 2, items)),
    ] {
        let mut all: Vec<usize> = got.iter().flatten().copied().collect();
        all.sort_unstable();
        let each_once = all == (0..2 * items).collect::<Vec<_>>();
        println!(
            "{name:<15} 2 producers → 2 consumers: {} items, each once: {each_once}",
            all.len()
        );
    }

    let n = 10_000_000;
    let reports = parallel_sum(n, workers, 10_000);
    let sum: u64 = reports.iter().map(|r| r.sum).sum();
    println!(
        "work stealing   sum of 0..{n} = {sum} (formula: {})",
        n * (n - 1) / 2
    );
    for (i, report) in reports.iter().enumerate() {
        println!(
            "  worker {i}: {:>5} tasks, {:>4} of them taken from elsewhere",
            report.tasks, report.stolen
        );
    }

    let stack = TreiberStack::new();
    let popped: Vec<Vec<usize>> = thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|t| {
                let stack = &stack;
                scope.spawn(move || {
                    let mut mine = Vec::new();
                    for i in 0..items {
                        stack.push(t * items + i);
                        mine.extend(stack.pop()); // may be anyone's item
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect()
    });
    let mut all: Vec<usize> = popped.into_iter().flatten().collect();
    all.sort_unstable();
    let each_once = all == (0..workers * items).collect::<Vec<_>>();
    println!(
        "Treiber stack   {workers} threads pushed and popped {} items, \
         each once: {each_once}",
        all.len()
    );
}
// ANCHOR_END: main
