//! Programs structured as threads that talk over channels: a pipeline, a
//! worker pool, and the channels themselves measured.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crossbeam_channel::{Receiver, after, bounded, select, unbounded};

// ANCHOR: sieve
/// The first `count` primes from a pipeline: a generator sends 2, 3, 4, …;
/// every prime found adds a stage that drops the multiples of that prime.
pub fn sieve(count: usize, capacity: usize) -> Vec<u64> {
    let (numbers, mut head) = bounded::<u64>(capacity);
    thread::scope(|scope| {
        scope.spawn(move || {
            for n in 2.. {
                if numbers.send(n).is_err() {
                    break; // the pipeline was shut down behind us
                }
            }
        });
        let mut primes = Vec::with_capacity(count);
        for _ in 0..count {
            // Whatever survives every stage so far is the next prime.
            let prime = head.recv().expect("the generator never stops first");
            primes.push(prime);
            let (survivors, next) = bounded(capacity);
            let input = head;
            scope.spawn(move || {
                for n in input {
                    if !n.is_multiple_of(prime) && survivors.send(n).is_err() {
                        break;
                    }
                }
            });
            head = next;
        }
        // Dropping the last receiver makes the last stage's `send` fail; it
        // stops and drops its own receiver, and so on back to the generator.
        drop(head);
        primes
    }) // the scope joins every stage: none is left running
}
// ANCHOR_END: sieve

/// Steps of the Collatz sequence from `n` down to 1: uneven, cheap work.
pub fn collatz_steps(mut n: u64) -> u64 {
    let mut steps = 0;
    while n > 1 {
        n = if n.is_multiple_of(2) {
            n / 2
        } else {
            3 * n + 1
        };
        steps += 1;
    }
    steps
}

/// What the collector reports when no result arrives in time.
#[derive(Debug, PartialEq)]
pub struct Stalled {
    pub received: usize,
}

// ANCHOR: fan
/// Fans `jobs` out to `workers` threads that share one receiver, and fans
/// their results back in to one collector, which gives up if no result
/// arrives within `patience`.
pub fn fan_out_fan_in(
    jobs: &[u64],
    workers: usize,
    patience: Duration,
) -> Result<Vec<(u64, u64)>, Stalled> {
    let (job_tx, job_rx) = bounded::<u64>(workers.max(1) * 2);
    let (result_tx, result_rx) = unbounded();
    thread::scope(|scope| {
        for _ in 0..workers {
            // crossbeam receivers can be cloned: every worker takes the next
            // job from the same queue (std's mpsc receiver cannot).
            let (job_rx, result_tx) = (job_rx.clone(), result_tx.clone());
            scope.spawn(move || {
                for job in job_rx {
                    if result_tx.send((job, collatz_steps(job))).is_err() {
                        break;
                    }
                }
            });
        }
        drop((job_rx, result_tx)); // only the workers hold these now
        scope.spawn(move || {
            for &job in jobs {
                if job_tx.send(job).is_err() {
                    break; // every worker is gone
                }
            }
        }); // dropping job_tx here ends the workers' loops
        collect(&result_rx, jobs.len(), patience)
    })
}

fn collect(
    results: &Receiver<(u64, u64)>,
    expected: usize,
    patience: Duration,
) -> Result<Vec<(u64, u64)>, Stalled> {
    let mut received = Vec::with_capacity(expected);
    while received.len() < expected {
        // Wait on two channels at once: a result, or the end of patience.
        select! {
            recv(results) -> result => match result {
                Ok(result) => received.push(result),
                Err(_) => break, // all workers ended early
            },
            recv(after(patience)) -> _ => break,
        }
    }
    if received.len() == expected {
        Ok(received)
    } else {
        Err(Stalled {
            received: received.len(),
        })
    }
}
// ANCHOR_END: fan

/// The channels the throughput table compares.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Flavour {
    StdUnbounded,
    StdBounded,
    CrossbeamUnbounded,
    CrossbeamBounded,
}

impl Flavour {
    pub const ALL: [Flavour; 4] = [
        Flavour::StdUnbounded,
        Flavour::StdBounded,
        Flavour::CrossbeamUnbounded,
        Flavour::CrossbeamBounded,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Flavour::StdUnbounded => "std mpsc::channel",
            Flavour::StdBounded => "std mpsc::sync_channel",
            Flavour::CrossbeamUnbounded => "crossbeam unbounded",
            Flavour::CrossbeamBounded => "crossbeam bounded",
        }
    }
}

/// Capacity of the bounded channels in the throughput table.
pub const CAPACITY: usize = 1024;

// ANCHOR: pump
/// `producers` threads send `messages` numbers in all through one channel of
/// the given flavour to one receiver; returns the sum received, which is
/// the same for every flavour if nothing was lost or duplicated.
pub fn pump(flavour: Flavour, producers: usize, messages: u64) -> u64 {
    match flavour {
        Flavour::StdUnbounded => {
            let (tx, rx) = mpsc::channel();
            pump_with(
                tx,
                |tx, n| tx.send(n).is_ok(),
                || rx.iter().sum(),
                producers,
                messages,
            )
        }
        Flavour::StdBounded => {
            let (tx, rx) = mpsc::sync_channel(CAPACITY);
            pump_with(
                tx,
                |tx, n| tx.send(n).is_ok(),
                || rx.iter().sum(),
                producers,
                messages,
            )
        }
        Flavour::CrossbeamUnbounded => {
            let (tx, rx) = unbounded();
            pump_with(
                tx,
                |tx, n| tx.send(n).is_ok(),
                || rx.iter().sum(),
                producers,
                messages,
            )
        }
        Flavour::CrossbeamBounded => {
            let (tx, rx) = bounded(CAPACITY);
            pump_with(
                tx,
                |tx, n| tx.send(n).is_ok(),
                || rx.iter().sum(),
                producers,
                messages,
            )
        }
    }
}

fn pump_with<S: Clone + Send>(
    sender: S,
    send: fn(&S, u64) -> bool,
    receive_all: impl FnOnce() -> u64,
    producers: usize,
    messages: u64,
) -> u64 {
    let producers = producers.max(1) as u64;
    thread::scope(|scope| {
        for p in 0..producers {
            let sender = sender.clone();
            // Producer p sends p, p + producers, p + 2·producers, … < messages.
            scope.spawn(move || {
                for n in (p..messages).step_by(producers as usize) {
                    assert!(send(&sender, n), "the receiver left early");
                }
            });
        }
        drop(sender); // the receiver's loop ends when the producers finish
        receive_all()
    })
}
// ANCHOR_END: pump
