//! The chapter's "be the scheduler" puzzles as Rust, model-checked: loom
//! runs each under every interleaving, and the final states it reaches must
//! be exactly the ones the page lists (`scheduler-stepper`'s enumerator).

use loom::sync::Arc;
use loom::sync::atomic::AtomicI64;
use loom::sync::atomic::Ordering::Relaxed;
use loom::sync::mpsc;
use loom::thread;
use scheduler_stepper::check::assert_loom_agrees;

/// Two threads run `body` on one shared variable, which starts at `init`;
/// the outcome is its final value.
fn two_threads(init: i64, body: fn(&AtomicI64)) -> Option<i64> {
    let shared = Arc::new(AtomicI64::new(init));
    let other = {
        let shared = Arc::clone(&shared);
        thread::spawn(move || body(&shared))
    };
    body(&shared);
    other.join().unwrap();
    Some(shared.load(Relaxed))
}

// A plain `counter += 1` is a load and a store. On a plain variable two of
// them at once are a data race, which loom reports rather than explores;
// Relaxed atomics keep the two steps and make every interleaving defined.
fn increment(counter: &AtomicI64) {
    let r = counter.load(Relaxed);
    counter.store(r + 1, Relaxed);
}

#[test]
fn lost_update() {
    assert_loom_agrees("ch03-lost-update", || {
        two_threads(0, increment).map(|n| format!("counter = {n}"))
    });
}

fn withdraw(balance: &AtomicI64) {
    if balance.load(Relaxed) >= 10 {
        let r = balance.load(Relaxed);
        balance.store(r - 10, Relaxed);
    }
}

#[test]
fn check_then_act() {
    assert_loom_agrees("ch03-check-then-act", || {
        two_threads(10, withdraw).map(|n| format!("balance = {n}"))
    });
}

#[test]
fn messages() {
    assert_loom_agrees("ch03-messages", || {
        let (tx, rx) = mpsc::channel();
        let workers: Vec<_> = [1, 2]
            .into_iter()
            .map(|count| {
                let tx = tx.clone();
                thread::spawn(move || tx.send(count).unwrap())
            })
            .collect();
        let a = rx.recv().unwrap();
        let b = rx.recv().unwrap();
        let total = a + b;
        for worker in workers {
            worker.join().unwrap();
        }
        Some(format!("total = {total}, main.a = {a}"))
    });
}
