//! A promise and its pending value: C++'s `std::promise` / `std::future`
//! pair, built on a channel of capacity one.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::time::Duration;

// ANCHOR: oneshot
/// The writing end: whoever holds it promises to provide one `T`.
pub struct Promise<T>(SyncSender<T>);

/// The reading end: a `T` that may not exist yet. (C++ calls this a
/// `future`; Rust's `Future` trait is the async kind, so another name.)
pub struct Pending<T>(Receiver<T>);

/// Why waiting ended without a value.
#[derive(Debug, PartialEq)]
pub enum NoValue {
    /// The promise was dropped unfulfilled (C++: `broken_promise`).
    Broken,
    TimedOut,
}

pub fn promise<T>() -> (Promise<T>, Pending<T>) {
    let (sender, receiver) = mpsc::sync_channel(1); // room for the one value
    (Promise(sender), Pending(receiver))
}

impl<T> Promise<T> {
    /// Provides the value. Takes `self`: a promise can be kept only once,
    /// and the compiler refuses a second call (C++ throws at run time).
    pub fn fulfil(self, value: T) {
        // An error means nobody waits any more; the value is simply dropped.
        let _ = self.0.send(value);
    }
}

impl<T> Pending<T> {
    /// Blocks until the value arrives, or until the promise is dropped.
    pub fn wait(self) -> Result<T, NoValue> {
        self.0.recv().map_err(|_| NoValue::Broken)
    }

    /// Like `wait`, but gives up after `limit`; the value may still come.
    pub fn wait_timeout(&self, limit: Duration) -> Result<T, NoValue> {
        self.0.recv_timeout(limit).map_err(|error| match error {
            RecvTimeoutError::Timeout => NoValue::TimedOut,
            RecvTimeoutError::Disconnected => NoValue::Broken,
        })
    }
}
// ANCHOR_END: oneshot
