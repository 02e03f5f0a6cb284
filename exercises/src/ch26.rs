//! Chapter 26's exercise: the lazy pirate's `ask`.
//!
//! Write `ask`: send `request` on a REQ socket connected to `endpoint`, wait
//! at most `timeout` for the reply, and on silence try again on a fresh
//! socket, at most `tries` times in all, then give up with an error. Check it
//! with `cargo exercise ch26`.

use std::time::Duration;

/// Sends `request` to the REP (or ROUTER) peer at `endpoint` and returns its
/// reply with the number of the try that got it (1 for the first). Each try
/// waits at most `timeout`; after `tries` silent tries it returns an error.
/// Every socket it opens lets go of undelivered messages when it is closed,
/// so a dead server never keeps `context` from being dropped.
pub fn ask(
    context: &zmq::Context,
    endpoint: &str,
    request: &str,
    timeout: Duration,
    tries: u32,
) -> anyhow::Result<(String, u32)> {
    // Your code here. `socket.poll(zmq::POLLIN, millis)` says whether a reply
    // came within `millis` milliseconds; `set_linger(0)` makes closing a
    // socket drop what it still holds.
    todo!()
}
