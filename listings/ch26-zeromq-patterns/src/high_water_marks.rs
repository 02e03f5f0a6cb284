//! High-water marks: how many messages a socket queues for a peer that does not
//! read, and what it does when the queue is full. PUSH (like REQ and DEALER)
//! waits; PUB drops.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use book_helpers::timed;

use crate::transport::{Rendezvous, Transport, bind, context_for, receive};

/// No loop here runs more than this many times, even if a mark were never
/// reached.
const AT_MOST: u64 = 1_000_000;

/// How long the publisher probes before it gives up on the subscription.
const SUBSCRIPTION_LIMIT: Duration = Duration::from_secs(5);

/// What a PUSH socket did when its reader stopped reading.
#[derive(Debug)]
pub struct Blocked {
    /// Messages queued before a send would have to wait.
    pub queued: u64,
    /// How long a send with a time-out waited before it gave up.
    pub waited: Duration,
    /// Messages the reader took before the writer could send again: libzmq
    /// hands room back in batches, not one message at a time.
    pub read_before_room: u64,
}

/// What a PUB socket did when its subscriber stopped reading.
#[derive(Debug)]
pub struct Dropped {
    pub published: u64,
    /// Sends that could not go through at once (PUB never makes one wait).
    pub refused: u64,
    pub received: u64,
    pub dropped: u64,
    /// Whether what arrived was the first `received` messages published, in
    /// order: a full queue drops the newest messages, not the oldest.
    pub kept_the_oldest: bool,
}

// ANCHOR: push_blocks
/// A PUSH socket and a PULL socket that reads nothing, both with high-water
/// mark `mark`.
pub fn push_blocks(mark: i32) -> Result<Blocked> {
    let context = context_for(Transport::Inproc)?;
    let rendezvous = Rendezvous::new(Transport::Inproc)?;
    let push = context.socket(zmq::PUSH)?;
    push.set_sndhwm(mark)?;
    push.set_linger(0)?; // what is still queued at the end may be thrown away
    let at = bind(&push, &rendezvous.address("full"))?;
    let pull = context.socket(zmq::PULL)?;
    pull.set_rcvhwm(mark)?;
    pull.connect(&at)?;

    // Send without waiting until the socket says it would have to wait.
    let mut queued = 0;
    while queued < AT_MOST && push.send("job", zmq::DONTWAIT).is_ok() {
        queued += 1;
    }
    // A normal send now waits for room; a send time-out bounds the wait.
    push.set_sndtimeo(100)?;
    let (refused, waited) = timed(|| push.send("one more", 0));
    if refused != Err(zmq::Error::EAGAIN) {
        bail!("a send into a full queue did not wait: {refused:?}");
    }
    // The reader takes messages one by one until the writer may go on.
    let mut read_before_room = 0;
    while read_before_room < queued {
        receive(&pull, Duration::from_secs(5), "a queued message")?;
        read_before_room += 1;
        // Asking whether the socket is writable also makes it read the reader's
        // "room again" notice, which a bare send may leave unread for a while.
        if push.poll(zmq::POLLOUT, 0)? > 0 {
            return Ok(Blocked {
                queued,
                waited,
                read_before_room,
            });
        }
    }
    bail!("the writer stayed blocked after the reader emptied the queue")
}
// ANCHOR_END: push_blocks

// ANCHOR: pub_drops
/// A PUB socket publishes `published` messages to a subscriber that reads only
/// afterwards; both have high-water mark `mark`.
pub fn pub_drops(mark: i32, published: u64) -> Result<Dropped> {
    let context = context_for(Transport::Inproc)?;
    let rendezvous = Rendezvous::new(Transport::Inproc)?;
    let publisher = context.socket(zmq::PUB)?;
    publisher.set_sndhwm(mark)?;
    publisher.set_linger(0)?;
    let at = bind(&publisher, &rendezvous.address("news"))?;
    let subscriber = context.socket(zmq::SUB)?;
    subscriber.set_rcvhwm(mark)?;
    subscriber.connect(&at)?;
    subscriber.set_subscribe(b"")?;
    wait_until_subscribed(&publisher, &subscriber, SUBSCRIPTION_LIMIT)?;

    let mut refused = 0;
    for sequence in 0..published.min(AT_MOST) {
        if publisher
            .send(&sequence.to_string(), zmq::DONTWAIT)
            .is_err()
        {
            refused += 1;
        }
    }
    let mut arrived = Vec::new();
    while let Ok(message) = subscriber.recv_bytes(zmq::DONTWAIT) {
        arrived.push(String::from_utf8_lossy(&message).parse::<u64>().ok());
    }
    let received = arrived.len() as u64;
    Ok(Dropped {
        published,
        refused,
        received,
        dropped: published - received,
        kept_the_oldest: arrived.into_iter().eq((0..received).map(Some)),
    })
}
// ANCHOR_END: pub_drops

/// Publishes `probe` until the subscriber gets one, then empties its queue:
/// from then on, everything published reaches it (or is dropped at the mark).
/// Gives up after `limit`.
fn wait_until_subscribed(
    publisher: &zmq::Socket,
    subscriber: &zmq::Socket,
    limit: Duration,
) -> Result<()> {
    let deadline = Instant::now() + limit;
    loop {
        publisher.send("probe", 0)?;
        if subscriber.poll(zmq::POLLIN, 1)? > 0 {
            break;
        }
        if Instant::now() > deadline {
            bail!("the subscription never reached the publisher");
        }
    }
    while subscriber.recv_bytes(zmq::DONTWAIT).is_ok() {}
    // Reading freed room in the queue; the reader says so with a command the
    // publisher reads only now and then while it sends, and until it has read
    // it, it would drop the first messages as if the queue were still full.
    // Asking about its state makes it read its commands at once.
    publisher.poll(zmq::POLLOUT, 0)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_for_a_subscription_gives_up_at_its_limit() -> Result<()> {
        let context = context_for(Transport::Inproc)?;
        let rendezvous = Rendezvous::new(Transport::Inproc)?;
        let publisher = context.socket(zmq::PUB)?;
        let at = bind(&publisher, &rendezvous.address("silence"))?;
        // Connected, but subscribed to nothing: no probe ever reaches it.
        let subscriber = context.socket(zmq::SUB)?;
        subscriber.connect(&at)?;
        let limit = Duration::from_millis(300);
        let started = Instant::now();
        let outcome = wait_until_subscribed(&publisher, &subscriber, limit);
        let waited = started.elapsed();
        let error = outcome.expect_err("nothing was subscribed");
        assert!(error.to_string().contains("never reached"), "{error}");
        assert!(waited >= limit, "gave up after {waited:?}");
        Ok(())
    }
}
