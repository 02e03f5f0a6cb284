//! Chapter 6's exercise: wait for all of them.
//!
//! Write `all_of`, which turns several pending values into one pending
//! vector of values, as C++'s `when_all` and JavaScript's `Promise.all` do.
//! Check it with `cargo exercise ch06`.

use ch06_promises::oneshot::{NoValue, Pending};

/// Returns at once a pending result that becomes the values of `pendings`,
/// in the order given, once every one has arrived; or `NoValue::Broken` if
/// any of their promises is dropped unkept.
pub fn all_of<T: Send + 'static>(
    pendings: Vec<Pending<T>>,
) -> Pending<Result<Vec<T>, NoValue>> {
    // Your code here: a promise of your own (`ch06_promises::oneshot::
    // promise`), kept by someone who can afford to wait.
    todo!()
}
