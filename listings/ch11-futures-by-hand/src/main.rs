//! Futures polled and woken by hand, with every poll and wake printed.

use std::thread;
use std::time::{Duration, Instant};

use book_helpers::format_duration;
use book_helpers::measure::Machine;
use ch11_futures_by_hand::{
    Executor, Timer, Traced, block_on, fetch_all, oneshot, poll_by_hand, trace,
};
use clap::Parser;

/// Runs hand-written futures on a hand-written executor and prints every
/// poll and every wake, with the thread it happened on: a value sent by
/// another thread, three tasks on one thread, a pinned self-referential
/// future, and buffer_unordered with a limit on jobs in flight.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Jobs buffer_unordered keeps under way at once (1 to 5).
    #[arg(long, default_value_t = 2,
          value_parser = clap::value_parser!(u16).range(1..=5))]
    in_flight: u16,
}

/// The delays of the buffered jobs: far enough apart that they finish in
/// the same order on every run.
const JOB_DELAYS_MS: [u64; 5] = [160, 20, 50, 35, 25];

// ANCHOR: main
fn main() {
    let args = Args::parse();
    let machine = Machine::now();
    trace(true);

    println!("1. block_on: a value that another thread sends");
    let (sender, receiver) = oneshot();
    let completer = thread::Builder::new()
        .name("sender".to_string())
        .spawn(move || {
            thread::sleep(Duration::from_millis(50));
            sender.send(42);
        })
        .expect("the system can start a thread");
    let value = block_on(Traced::new("receiver", receiver));
    completer.join().expect("the sender does not panic");
    println!("block_on returned {value}\n");

    println!("2. three tasks, one thread, one queue");
    let mut executor = Executor::new();
    executor.spawn("slow", Timer::after(Duration::from_millis(90)));
    executor.spawn("fast", Timer::after(Duration::from_millis(30)));
    executor.spawn("two steps", async {
        Timer::after(Duration::from_millis(60)).await;
        Timer::after(Duration::from_millis(60)).await;
    });
    let polls = executor.run();
    println!("all three done after {polls} polls\n");

    trace(false);
    println!("3. an async fn that borrows its own state, pinned and polled");
    for answer in poll_by_hand([1, 2, 3, 4]) {
        println!("poll: {answer:?}");
    }

    let in_flight = usize::from(args.in_flight);
    let delays = JOB_DELAYS_MS.map(Duration::from_millis);
    println!(
        "\n4. buffer_unordered({in_flight}) on block_on, \
         jobs of {JOB_DELAYS_MS:?} ms"
    );
    let start = Instant::now();
    let fetched = fetch_all(&delays, in_flight);
    println!(
        "finished in the order {:?}, at most {} under way, in {} \
         (the delays add up to {})",
        fetched.finished,
        fetched.most_in_flight,
        format_duration(start.elapsed()),
        format_duration(delays.iter().sum()),
    );
    println!("\n{}", machine.header());
}
// ANCHOR_END: main
