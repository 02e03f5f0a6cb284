//! The "be the scheduler" puzzles of chapter 5 as Rust, model-checked: loom
//! runs each under every interleaving, and the final states it reaches must
//! be exactly the ones the page lists (`scheduler-stepper`'s enumerator),
//! deadlocks included.

use loom::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use loom::sync::atomic::{AtomicBool, AtomicI64};
use loom::sync::{Arc, Mutex};
use loom::thread;
use scheduler_stepper::check::assert_loom_agrees;

/// Two threads run `body` on one counter behind a mutex.
fn two_threads(body: fn(&Mutex<i64>)) -> Option<String> {
    let counter = Arc::new(Mutex::new(0));
    let other = {
        let counter = Arc::clone(&counter);
        thread::spawn(move || body(&counter))
    };
    body(&counter);
    other.join().unwrap();
    Some(format!("counter = {}", *counter.lock().unwrap()))
}

#[test]
fn whole_lock() {
    assert_loom_agrees("ch05-whole-lock", || {
        two_threads(|m| {
            let mut n = m.lock().unwrap();
            *n += 1;
            drop(n);
        })
    });
}

#[test]
fn split_lock() {
    assert_loom_agrees("ch05-split-lock", || {
        two_threads(|m| {
            let r = *m.lock().unwrap();
            *m.lock().unwrap() = r + 1;
        })
    });
}

// A lock here is an atomic flag, taken by compare_exchange (Acquire) and
// freed by a Release store: what a mutex does to memory, without waiting.
// Where the real transfer would wait for a lock, this one stops and keeps
// what it holds. Such an execution is a deadlock if every lock a stopped
// thread wanted is still held at the end; otherwise the real thread would
// have gone on, another execution covers that, and this one is not counted.
// (loom's own Mutex cannot be used this way: once one thread holds it, a
// thread whose next step is `try_lock` on it is parked, not refused.)
struct Accounts {
    a: AtomicBool,
    b: AtomicBool,
    transfers: AtomicI64,
}

impl Accounts {
    fn flag(&self, name: &str) -> &AtomicBool {
        if name == "a" { &self.a } else { &self.b }
    }

    fn try_lock(&self, name: &str) -> bool {
        self.flag(name)
            .compare_exchange(false, true, Acquire, Relaxed)
            .is_ok()
    }

    fn unlock(&self, name: &str) {
        self.flag(name).store(false, Release);
    }

    /// Locks `first`, then `second`, and counts the transfer; or returns
    /// the lock it would wait for.
    fn transfer(
        &self,
        first: &'static str,
        second: &'static str,
    ) -> Option<&'static str> {
        if !self.try_lock(first) {
            return Some(first);
        }
        if !self.try_lock(second) {
            return Some(second);
        }
        // `transfers += 1` under both locks.
        let r = self.transfers.load(Relaxed);
        self.transfers.store(r + 1, Relaxed);
        self.unlock(second);
        self.unlock(first);
        None
    }
}

/// T1 locks a then b; T2 locks `t2.0` then `t2.1`.
fn transfers(t2: (&'static str, &'static str)) -> Option<String> {
    let accounts = Arc::new(Accounts {
        a: AtomicBool::new(false),
        b: AtomicBool::new(false),
        transfers: AtomicI64::new(0),
    });
    let other = {
        let accounts = Arc::clone(&accounts);
        thread::spawn(move || accounts.transfer(t2.0, t2.1))
    };
    let mine = accounts.transfer("a", "b");
    let theirs = other.join().unwrap();
    let waiting: Vec<String> = [("T1", mine), ("T2", theirs)]
        .into_iter()
        .filter_map(|(thread, lock)| Some((thread, lock?)))
        .map(|(thread, lock)| {
            let held = accounts.flag(lock).load(Relaxed);
            held.then(|| format!("{thread} waits at lock({lock})"))
        })
        .collect::<Option<_>>()?;
    let n = accounts.transfers.load(Relaxed);
    Some(if waiting.is_empty() {
        format!("transfers = {n}")
    } else {
        format!("transfers = {n}; deadlock: {}", waiting.join(", "))
    })
}

#[test]
fn opposite_orders_deadlock() {
    assert_loom_agrees("ch05-deadlock", || transfers(("b", "a")));
}

#[test]
fn one_order_cannot_deadlock() {
    assert_loom_agrees("ch05-lock-order", || transfers(("a", "b")));
}
