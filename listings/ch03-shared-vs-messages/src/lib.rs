//! One small problem — count the letters in a pile of documents — cut into
//! pieces that workers do at the same time, and the two classic ways for the
//! pieces to coordinate: shared state behind a lock, or messages.

use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

use timeline::Recorder;

/// How often each letter `a`..=`z` occurs.
pub type Counts = [u64; 26];

/// How much coordination a run needed, counted as it happened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Coordination {
    /// Times a worker took the shared lock.
    pub locks: usize,
    /// Messages sent over channels.
    pub messages: usize,
}

const WORDS: [&str; 24] = [
    "the", "driver", "waits", "for", "a", "packet", "while", "display",
    "draws", "frame", "and", "keyboard", "sends", "key", "to", "kernel",
    "which", "runs", "each", "one", "in", "turn", "or", "together",
];

/// `count` documents of about `size` letters each, made of common words
/// picked by a hash of their position, so every run sees the same text.
pub fn documents(count: usize, size: usize) -> Vec<String> {
    (0..count)
        .map(|doc| {
            let mut text = String::with_capacity(size + 16);
            let mut i = doc as u64;
            while text.len() < size {
                i = i.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                text.push_str(WORDS[(i >> 59) as usize % WORDS.len()]);
                text.push(' ');
            }
            text
        })
        .collect()
}

// ANCHOR: count
/// The letters of one document: the piece of work every variant shares.
pub fn count_letters(text: &str) -> Counts {
    let mut counts = [0; 26];
    for byte in text.bytes() {
        if byte.is_ascii_lowercase() {
            counts[usize::from(byte - b'a')] += 1;
        }
    }
    counts
}

fn add(total: &mut Counts, part: &Counts) {
    for (sum, n) in total.iter_mut().zip(part) {
        *sum += n;
    }
}
// ANCHOR_END: count

/// Every document in turn on the calling thread: nothing to coordinate.
pub fn sequential(docs: &[String], recorder: &Recorder) -> Counts {
    let mut total = [0; 26];
    for (number, doc) in docs.iter().enumerate() {
        let counts =
            recorder.span(format!("doc {number}"), || count_letters(doc));
        add(&mut total, &counts);
    }
    total
}

// ANCHOR: shared
/// Workers share two things: the number of the next document to take (an
/// atomic counter) and the running totals (behind a mutex). Each worker
/// counts a document on its own, then locks the totals just long enough to
/// add its counts.
pub fn shared_state(
    docs: &[String],
    workers: usize,
    recorder: &Recorder,
) -> (Counts, Coordination) {
    let next = AtomicUsize::new(0);
    let totals = Mutex::new([0; 26]);
    let locks = AtomicUsize::new(0);
    thread::scope(|scope| {
        for worker in 1..=workers {
            spawn_worker(scope, worker, || {
                loop {
                    let number = next.fetch_add(1, Ordering::Relaxed);
                    let Some(doc) = docs.get(number) else { break };
                    let counts = recorder
                        .span(format!("doc {number}"), || count_letters(doc));
                    let mut totals = totals.lock().expect("no worker panics");
                    add(&mut totals, &counts);
                    locks.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    let totals = totals.into_inner().expect("no worker panicked");
    let locks = locks.into_inner();
    (totals, Coordination { locks, messages: 0 })
}
// ANCHOR_END: shared

/// Starts a scoped thread named `worker N`, so schedules label its lane.
fn spawn_worker<'scope>(
    scope: &'scope thread::Scope<'scope, '_>,
    number: usize,
    work: impl FnOnce() + Send + 'scope,
) {
    thread::Builder::new()
        .name(format!("worker {number}"))
        .spawn_scoped(scope, work)
        .expect("the system can start a thread");
}

/// What a worker sends back: who it is, which document, and the counts.
type Result = (usize, usize, Counts);

// ANCHOR: messages
/// Nothing is shared. A coordinator (the calling thread) owns the totals
/// and the pile of documents. It sends each worker one document at a time;
/// whenever a worker's counts come back, it adds them and sends that worker
/// the next document.
pub fn message_passing(
    docs: &[String],
    workers: usize,
    recorder: &Recorder,
) -> (Counts, Coordination) {
    let (results, finished) = mpsc::channel::<Result>();
    let mut totals = [0; 26];
    let mut messages = 0;
    thread::scope(|scope| {
        let mut jobs: Vec<Option<Sender<usize>>> = (1..=workers)
            .map(|worker| {
                let (job, inbox) = mpsc::channel();
                let results = results.clone();
                spawn_worker(scope, worker, move || {
                    count_what_arrives(worker, inbox, results, docs, recorder)
                });
                Some(job)
            })
            .collect();
        drop(results); // only the workers hold senders now

        let mut pile = 0..docs.len();
        for job in &mut jobs {
            hand_out(&mut pile, job, &mut messages);
        }
        // Ends when every worker has stopped and dropped its sender.
        for (worker, number, counts) in finished {
            messages += 1;
            recorder
                .span(format!("add {number}"), || add(&mut totals, &counts));
            hand_out(&mut pile, &mut jobs[worker - 1], &mut messages);
        }
    });
    (totals, Coordination { locks: 0, messages })
}

/// A worker's whole life: count each document that arrives, send the counts
/// back, stop when the coordinator closes the channel.
fn count_what_arrives(
    worker: usize,
    inbox: Receiver<usize>,
    results: Sender<Result>,
    docs: &[String],
    recorder: &Recorder,
) {
    for number in inbox {
        let doc = &docs[number];
        let counts =
            recorder.span(format!("doc {number}"), || count_letters(doc));
        if results.send((worker, number, counts)).is_err() {
            break; // the coordinator is gone; nobody wants the counts
        }
    }
}

/// Sends a worker the next document, or, when the pile is empty, closes its
/// channel, which ends the worker's loop.
fn hand_out(
    pile: &mut Range<usize>,
    job: &mut Option<Sender<usize>>,
    messages: &mut usize,
) {
    match (pile.next(), job.as_ref()) {
        (Some(number), Some(sender)) if sender.send(number).is_ok() => {
            *messages += 1;
        }
        _ => *job = None,
    }
}
// ANCHOR_END: messages
