//! Each atomic pattern of the chapter run on real threads, with the check
//! that it did its job; then the handshake with the wrong orderings, counted;
//! then the spinlock timed against the standard library's `Mutex`.

use std::hint;
use std::sync::Mutex;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{AcqRel, Acquire};
use std::thread;

use book_helpers::format_speedup;
use book_helpers::measure::{Machine, Summary, interleaved};

use ch07_atomics::counter::EventCounter;
use ch07_atomics::handshake::Handshake;
use ch07_atomics::publish::Mailbox;
use ch07_atomics::spinlock::SpinLock;
use clap::Parser;

/// Runs a Relaxed counter, a Release/Acquire mailbox, a spinlock and a
/// SeqCst-fenced handshake on real threads, counts how often the handshake
/// fails when it uses only Release and Acquire, and times the spinlock
/// against std::sync::Mutex with every thread contending for it.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Threads for the counter and the spinlock (1 to 64).
    #[arg(long, default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    threads: u16,

    /// Rounds of the mailbox and of each handshake (1 to 10000000).
    #[arg(long, default_value_t = 100_000,
          value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    rounds: u32,
}

const INCREMENTS: u64 = 100_000;
/// Each mailbox round spawns a writer thread, so they are capped.
const MAILBOX_ROUNDS: usize = 2_000;
/// Measured rounds of each lock, in turn, after a warm-up round.
const LOCK_ROUNDS: usize = 5;

fn main() -> Result<(), String> {
    let machine = Machine::now();
    let args = Args::parse();
    let threads = usize::from(args.threads);
    let rounds = args.rounds as usize;

    let events = EventCounter::default();
    on_threads(threads, || (0..INCREMENTS).for_each(|_| events.record()));
    println!(
        "Relaxed          counter: {threads} × {INCREMENTS} = {}",
        events.total()
    );

    let whole = (0..rounds.min(MAILBOX_ROUNDS))
        .all(|round| mailbox_round(round as u64));
    println!(
        "Release/Acquire  mailbox: every message read whole: {whole} ({} rounds)",
        rounds.min(MAILBOX_ROUNDS)
    );

    let locks = time_locks(threads)?;
    println!(
        "Acquire/Release  spinlock: {threads} × {INCREMENTS} = {}",
        threads as u64 * INCREMENTS
    );

    let fenced = both_missed(rounds, Handshake::arrive);
    let unfenced = both_missed(rounds, Handshake::arrive_release_acquire);
    println!(
        "SeqCst fence     handshake: both missed in {fenced} of {rounds} rounds"
    );
    println!(
        "Release/Acquire  handshake: both missed in {unfenced} of {rounds} rounds"
    );

    println!();
    println!("{}", machine.header());
    println!(
        "{threads} threads, each taking the lock {INCREMENTS} times to add 1; \
         every round's total exact"
    );
    println!(
        "{LOCK_ROUNDS} rounds, the two locks in turn, after a warm-up round; \
         median (fastest – slowest)"
    );
    println!();
    println!("{:<18} {:>29} {:>9}", "lock", "time", "vs Mutex");
    for (name, times) in
        [("std::sync::Mutex", &locks[0]), ("SpinLock", &locks[1])]
    {
        let vs_mutex = format_speedup(locks[0].median(), times.median());
        println!("{name:<18} {:>29} {vs_mutex:>9}", times.display());
    }
    Ok(())
}

// ANCHOR: contention
/// Times `threads` threads incrementing one counter behind each lock, the
/// standard library's `Mutex` first, and checks every round's total.
fn time_locks(threads: usize) -> Result<Vec<Summary>, String> {
    let expected = threads as u64 * INCREMENTS;
    let exact = |name: &str, total: u64| {
        if total == expected {
            Ok(())
        } else {
            Err(format!("{name}: {total}, expected {expected}"))
        }
    };
    let mut mutex = || {
        let lock = Mutex::new(0u64);
        on_threads(threads, || {
            for _ in 0..INCREMENTS {
                *lock.lock().expect("no holder panics") += 1;
            }
        });
        exact("Mutex", lock.into_inner().expect("no holder panicked"))
    };
    let mut spin = || {
        let lock = SpinLock::new(0u64);
        on_threads(threads, || {
            for _ in 0..INCREMENTS {
                *lock.lock() += 1;
            }
        });
        exact("SpinLock", *lock.lock())
    };
    let results = interleaved(LOCK_ROUNDS, &mut [&mut mutex, &mut spin])?;
    Ok(results.into_iter().map(|(times, ())| times).collect())
}
// ANCHOR_END: contention

fn on_threads(threads: usize, work: impl Fn() + Sync) {
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(&work);
        }
    });
}

/// One writer publishes while this thread polls; true if the message arrived
/// whole.
fn mailbox_round(round: u64) -> bool {
    let mailbox = Mailbox::default();
    thread::scope(|scope| {
        scope.spawn(|| mailbox.publish([round, round + 1, round + 2]));
        loop {
            if let Some(message) = mailbox.try_read() {
                return message == [round, round + 1, round + 2];
            }
            thread::yield_now(); // the writer may still be waiting for a core
        }
    })
}

// ANCHOR: litmus
/// Two threads meet `rounds` times, each time on a fresh handshake; returns
/// in how many rounds both calls of `arrive` returned false.
fn both_missed(rounds: usize, arrive: fn(&Handshake, usize) -> bool) -> usize {
    let handshakes: Vec<Handshake> =
        (0..rounds).map(|_| Handshake::default()).collect();
    let arrived = AtomicU64::new(0); // a spinning barrier between rounds
    let saw: [Vec<bool>; 2] = thread::scope(|scope| {
        let party = |me: usize| {
            let (handshakes, arrived) = (&handshakes, &arrived);
            scope.spawn(move || {
                let mut saw = Vec::with_capacity(rounds);
                for (round, handshake) in handshakes.iter().enumerate() {
                    saw.push(arrive(handshake, me));
                    arrived.fetch_add(1, AcqRel);
                    let mut spins = 0u32;
                    while arrived.load(Acquire) < 2 * (round as u64 + 1) {
                        spins += 1;
                        if spins.is_multiple_of(1024) {
                            // The other party may be waiting for a core.
                            thread::yield_now();
                        }
                        hint::spin_loop();
                    }
                }
                saw
            })
        };
        let (zero, one) = (party(0), party(1));
        [
            zero.join().expect("no panic"),
            one.join().expect("no panic"),
        ]
    });
    saw[0]
        .iter()
        .zip(&saw[1])
        .filter(|(a, b)| !**a && !**b)
        .count()
}
// ANCHOR_END: litmus
