//! Bank transfers that need two locks at once: taken in argument order they
//! can deadlock, taken in a global order they cannot.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Duration;

/// An account: a number that orders the locks, and a balance behind a lock.
pub struct Account {
    pub id: usize,
    pub balance: Mutex<i64>,
}

impl Account {
    pub fn new(id: usize, balance: i64) -> Arc<Self> {
        Arc::new(Account {
            id,
            balance: Mutex::new(balance),
        })
    }

    pub fn balance(&self) -> i64 {
        *self.balance.lock().expect("not poisoned")
    }
}

// ANCHOR: naive
/// Locks `from`, then `to`. `pause` widens the window between the two locks
/// so that the book's run hits the bad interleaving every time.
pub fn transfer_in_argument_order(
    from: &Account,
    to: &Account,
    amount: i64,
    pause: Duration,
) {
    let mut source = from.balance.lock().expect("not poisoned");
    thread::sleep(pause);
    let mut target = to.balance.lock().expect("not poisoned"); // may wait forever
    *source -= amount;
    *target += amount;
}
// ANCHOR_END: naive

// ANCHOR: ordered
/// Locks the account with the smaller id first, whichever way money moves:
/// all threads take the locks in one global order, so no cycle of waiting
/// threads can form.
pub fn transfer_in_id_order(
    from: &Account,
    to: &Account,
    amount: i64,
    pause: Duration,
) {
    assert_ne!(from.id, to.id, "a transfer needs two different accounts");
    let (first, second) = if from.id < to.id {
        (from, to)
    } else {
        (to, from)
    };
    let mut first_balance = first.balance.lock().expect("not poisoned");
    thread::sleep(pause);
    let mut second_balance = second.balance.lock().expect("not poisoned");
    let (source, target) = if from.id < to.id {
        (&mut *first_balance, &mut *second_balance)
    } else {
        (&mut *second_balance, &mut *first_balance)
    };
    *source -= amount;
    *target += amount;
}
// ANCHOR_END: ordered

/// A transfer function: from, to, amount, pause between the two locks.
pub type Transfer = fn(&Account, &Account, i64, Duration);

// ANCHOR: detect
/// Runs A→B and B→A at the same time on detached threads and waits at most
/// `limit` for both. Returns whether they finished; if not, the two threads
/// are deadlocked and stay blocked until the process exits.
pub fn both_directions_finish(
    transfer: Transfer,
    a: &Arc<Account>,
    b: &Arc<Account>,
    pause: Duration,
    limit: Duration,
) -> bool {
    let (done, finished) = mpsc::channel();
    // Both transfers start together, so a slow thread start cannot let one
    // finish before the other begins and hide the bad interleaving.
    let start = Arc::new(Barrier::new(2));
    for (from, to) in [(a, b), (b, a)] {
        let (from, to, done) = (Arc::clone(from), Arc::clone(to), done.clone());
        let start = Arc::clone(&start);
        thread::spawn(move || {
            start.wait();
            transfer(&from, &to, 10, pause);
            let _ = done.send(()); // the receiver may have given up already
        });
    }
    drop(done);
    for _ in 0..2 {
        match finished.recv_timeout(limit) {
            Ok(()) => {}
            Err(RecvTimeoutError::Timeout) => return false,
            Err(RecvTimeoutError::Disconnected) => {
                panic!("a transfer panicked")
            }
        }
    }
    true
}
// ANCHOR_END: detect
