//! The three non-blocking structures at work, each checked against what one
//! thread would produce; crossbeam's queues timed against a locked one.

use std::thread;

use book_helpers::format_speedup;
use book_helpers::measure::{Machine, Summary, interleaved};
use ch08_lock_free::queues::{MutexQueue, Queue, through};
use ch08_lock_free::stealing::parallel_sum;
use ch08_lock_free::treiber::TreiberStack;
use clap::Parser;
use crossbeam_queue::{ArrayQueue, SegQueue};

/// Moves items through crossbeam's ArrayQueue and SegQueue and through a
/// Mutex<VecDeque>, timed, sums a range on a work-stealing scheduler, and
/// pushes and pops a Treiber stack from several threads.
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

/// Measured rounds of each queue, in turn, after a warm-up round.
const ROUNDS: usize = 5;
/// Slots of the bounded queues.
const CAPACITY: usize = 64;

// ANCHOR: main
fn main() -> Result<(), String> {
    let machine = Machine::now();
    let args = Args::parse();
    let workers = usize::from(args.workers);
    let items = args.items as usize;

    let queues = time_queues(items)?;
    println!("{}", machine.header());
    println!(
        "2 producers → 2 consumers, {} items through each queue; \
         every round, every item received once",
        2 * items
    );
    println!(
        "{ROUNDS} rounds, the queues in turn, after a warm-up round; \
         median (fastest – slowest)"
    );
    println!();
    println!("{:<24} {:>29} {:>9}", "queue", "time", "vs lock");
    for pair in queues.chunks(2) {
        let locked = pair[0].1.median();
        for (name, times) in pair {
            let vs_lock = format_speedup(locked, times.median());
            println!("{name:<24} {:>29} {vs_lock:>9}", times.display());
        }
    }
    println!();

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
    Ok(())
}
// ANCHOR_END: main

// ANCHOR: timed
/// Times 2 producers and 2 consumers moving `2 * items` numbers through a
/// `Mutex<VecDeque>` and through the crossbeam queue of the same bound,
/// each pair locked queue first, and checks every round's delivery.
fn time_queues(items: usize) -> Result<Vec<(&'static str, Summary)>, String> {
    fn each_once(
        name: &str,
        queue: &impl Queue<usize>,
        items: usize,
    ) -> Result<(), String> {
        let mut all: Vec<usize> =
            through(queue, 2, 2, items).into_iter().flatten().collect();
        all.sort_unstable();
        if all == (0..2 * items).collect::<Vec<_>>() {
            Ok(())
        } else {
            Err(format!("{name}: items lost or received twice"))
        }
    }
    let names = [
        "Mutex<VecDeque>, 64",
        "ArrayQueue, 64",
        "Mutex<VecDeque>, no bound",
        "SegQueue, no bound",
    ];
    let mut bounded_lock =
        || each_once(names[0], &MutexQueue::bounded(CAPACITY), items);
    let mut array = || each_once(names[1], &ArrayQueue::new(CAPACITY), items);
    let mut unbounded_lock =
        || each_once(names[2], &MutexQueue::unbounded(), items);
    let mut seg = || each_once(names[3], &SegQueue::new(), items);
    let results = interleaved(
        ROUNDS,
        &mut [&mut bounded_lock, &mut array, &mut unbounded_lock, &mut seg],
    )?;
    Ok(names
        .into_iter()
        .zip(results.into_iter().map(|(t, ())| t))
        .collect())
}
// ANCHOR_END: timed
