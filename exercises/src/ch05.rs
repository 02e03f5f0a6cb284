//! Chapter 5's exercise: try, back off, try again.
//!
//! Write `transfer_with_back_off`: a transfer between two accounts that takes
//! the locks in argument order, like
//! `ch05_deadlock::transfer_in_argument_order`, but never waits for the
//! second lock while it holds the first. Check it with
//! `cargo exercise ch05`.

use std::time::Duration;

use ch05_deadlock::Account;

/// Moves `amount` from `from` to `to`. Locks `from`, pauses for `pause` (to
/// widen the window, as the listing's transfers do), then only *tries* to
/// lock `to`; if that fails, it lets go of `from`, waits a while, and starts
/// again, until the transfer is done.
pub fn transfer_with_back_off(
    from: &Account,
    to: &Account,
    amount: i64,
    pause: Duration,
) {
    // Your code here: `Mutex::try_lock`, and a wait after each failure that
    // is not the same every time in both threads.
    todo!()
}
