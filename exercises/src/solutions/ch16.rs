//! Chapter 16's exercise, solved: a consumer that does not know the count.

use std::thread;

// ANCHOR: receive_all
/// Pops until the ring is empty *and* was closed before it was found empty.
pub fn receive_all(
    mut try_pop: impl FnMut() -> Option<u64>,
    mut is_closed: impl FnMut() -> bool,
) -> Vec<u64> {
    let mut values = Vec::new();
    loop {
        if let Some(value) = try_pop() {
            values.push(value);
        } else if is_closed() {
            // The producer may have pushed its last values between our
            // empty pop and its close: the Acquire load of `closed` makes
            // them visible, so one more round of pops finds them.
            while let Some(value) = try_pop() {
                values.push(value);
            }
            return values;
        } else {
            thread::yield_now(); // empty and open: the producer is behind
        }
    }
}
// ANCHOR_END: receive_all
