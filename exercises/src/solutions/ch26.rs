//! Chapter 26's exercise, solved: the lazy pirate's `ask`.

use std::time::Duration;

use anyhow::{anyhow, bail};

// ANCHOR: ask
/// Sends `request` and waits up to `timeout` for the reply, at most `tries`
/// times, each on a fresh REQ socket: one that got no reply may not send
/// again. Linger 0 lets the old socket go without delivering what it held.
pub fn ask(
    context: &zmq::Context,
    endpoint: &str,
    request: &str,
    timeout: Duration,
    tries: u32,
) -> anyhow::Result<(String, u32)> {
    let millis = i64::try_from(timeout.as_millis())?;
    for attempt in 1..=tries {
        let socket = context.socket(zmq::REQ)?;
        socket.set_linger(0)?;
        socket.connect(endpoint)?;
        socket.send(request, 0)?;
        if socket.poll(zmq::POLLIN, millis)? > 0 {
            let reply =
                socket.recv_string(0)?.map_err(|_| anyhow!("not UTF-8"))?;
            return Ok((reply, attempt));
        }
        // `socket` is dropped here, and its unanswered request with it.
    }
    bail!("no reply from {endpoint} to {request} after {tries} tries")
}
// ANCHOR_END: ask
