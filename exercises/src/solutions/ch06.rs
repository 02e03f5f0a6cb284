//! Chapter 6's exercise, solved: wait for all of them.

use std::thread;

use ch06_promises::oneshot::{NoValue, Pending, promise};

// ANCHOR: all_of
/// A thread of its own waits for the values one after another, in the
/// order given, and keeps the combined promise; the caller gets the pending
/// side at once. `collect` into a `Result` stops at the first broken
/// promise.
pub fn all_of<T: Send + 'static>(
    pendings: Vec<Pending<T>>,
) -> Pending<Result<Vec<T>, NoValue>> {
    let (all, pending) = promise();
    thread::spawn(move || {
        let values = pendings.into_iter().map(Pending::wait).collect();
        all.fulfil(values);
    });
    pending
}
// ANCHOR_END: all_of
