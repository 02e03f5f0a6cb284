//! Chapter 5's exercise, solved: try, back off, try again.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::TryLockError;
use std::thread;
use std::time::Duration;

use ch05_deadlock::Account;

// ANCHOR: back_off
/// Never holds one lock while it waits for another, so no cycle of waiting
/// threads can form. After a failed try it lets go and sleeps for a random
/// time up to a bound that doubles with each failure, so that two threads
/// that collided once are unlikely to collide again.
pub fn transfer_with_back_off(
    from: &Account,
    to: &Account,
    amount: i64,
    pause: Duration,
) {
    let mut bound = Duration::from_micros(50).max(pause);
    loop {
        let mut source = from.balance.lock().expect("not poisoned");
        thread::sleep(pause);
        match to.balance.try_lock() {
            Ok(mut target) => {
                *source -= amount;
                *target += amount;
                return;
            }
            Err(TryLockError::WouldBlock) => drop(source),
            Err(TryLockError::Poisoned(_)) => panic!("poisoned"),
        }
        // A random number from std alone: each `RandomState` is seeded
        // afresh.
        let random = RandomState::new().hash_one(amount);
        thread::sleep(bound.mul_f64((random % 1_000) as f64 / 1_000.0));
        bound = (bound * 2).min(Duration::from_millis(100).max(pause * 4));
    }
}
// ANCHOR_END: back_off
