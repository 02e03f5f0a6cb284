//! PUB/SUB: one publisher, subscribers that pick topics by prefix, and the
//! messages a subscriber never sees because it joined late.

use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};

use crate::transport::{
    Rendezvous, Transport, bind, context_for, receive, send, socket,
};

/// How long the subscriber waits for the next message before it gives up.
const PATIENCE: Duration = Duration::from_secs(5);

/// The pause between two publications: the run lasts long enough for a
/// connection to be made while it is going on.
const PACE: Duration = Duration::from_micros(100);

/// What the subscriber to `temp` saw of a run.
#[derive(Debug, PartialEq, Eq)]
pub struct Heard {
    /// `temp` messages the publisher sent.
    pub published: u64,
    /// `temp` messages the subscriber received.
    pub received: u64,
    /// `temp` messages sent before the first one it received: the slow
    /// joiner's loss.
    pub missed_at_start: u64,
    /// Messages of other topics that reached it (the filter makes this 0).
    pub other_topics: u64,
    /// Whether, from its first message on, it got every `temp` message in
    /// order.
    pub no_gap_after_joining: bool,
}

// ANCHOR: publisher
/// Publishes `messages` readings, alternately on topics `temp` and `wind`, then
/// `temp end`. With `handshake`, it first waits until the subscriber proves it
/// is listening.
fn publish(
    publisher: &zmq::Socket,
    ready: &zmq::Socket,
    messages: u64,
    handshake: bool,
    patience: Duration,
) -> Result<()> {
    if handshake {
        // Publish a `sync` message each millisecond until the subscriber says
        // it got one.
        let deadline = Instant::now() + patience;
        while ready.poll(zmq::POLLIN, 1)? == 0 {
            if Instant::now() > deadline {
                bail!("the subscriber never confirmed its subscription");
            }
            publisher.send("sync", 0)?;
        }
        ready.recv_bytes(0)?;
    }
    for sequence in 0..messages {
        let topic = if sequence % 2 == 0 { "temp" } else { "wind" };
        publisher.send(&format!("{topic} {sequence}"), 0)?;
        thread::sleep(PACE);
    }
    // The last word is repeated until acknowledged, so that even a subscriber
    // that missed everything else learns that the run is over.
    let deadline = Instant::now() + patience;
    while ready.poll(zmq::POLLIN, 1)? == 0 {
        if Instant::now() > deadline {
            bail!("the subscriber never acknowledged the end");
        }
        publisher.send("temp end", 0)?;
    }
    ready.recv_bytes(0)?;
    Ok(())
}
// ANCHOR_END: publisher

// ANCHOR: subscriber
/// Subscribes to `temp` (and to `sync` for the handshake) and records what
/// arrives.
fn subscribe(
    subscriber: &zmq::Socket,
    ready: &zmq::Socket,
    messages: u64,
) -> Result<Heard> {
    let mut heard = Heard {
        published: messages.div_ceil(2),
        received: 0,
        missed_at_start: 0,
        other_topics: 0,
        no_gap_after_joining: true,
    };
    let mut expected = None;
    loop {
        let message = receive(subscriber, PATIENCE, "publication")?;
        let (topic, body) = message.split_once(' ').unwrap_or((&message, ""));
        match (topic, body) {
            ("sync", _) => {
                // The subscription is in place; say so once.
                if expected.is_none() {
                    send(ready, "listening", "confirmation")?;
                    expected = Some(0);
                }
            }
            ("temp", "end") => {
                if heard.received == 0 {
                    // It joined too late for any reading: it missed them all.
                    heard.missed_at_start = heard.published;
                }
                send(ready, "done", "acknowledgement")?;
                return Ok(heard);
            }
            ("temp", sequence) => {
                let sequence: u64 =
                    sequence.parse().context("a sequence number")?;
                if heard.received == 0 {
                    heard.missed_at_start = sequence / 2;
                } else if Some(sequence) != expected {
                    heard.no_gap_after_joining = false;
                }
                heard.received += 1;
                expected = Some(sequence + 2);
            }
            _ => heard.other_topics += 1,
        }
    }
}
// ANCHOR_END: subscriber

/// A publisher and a subscriber thread, started together over `transport`.
pub fn run(
    transport: Transport,
    messages: u64,
    handshake: bool,
) -> Result<Heard> {
    let context = context_for(transport)?;
    let rendezvous = Rendezvous::new(transport)?;
    // A PUB socket never waits: what it cannot queue, it drops.
    let publisher = context.socket(zmq::PUB)?;
    let news = bind(&publisher, &rendezvous.address("news"))?;
    let ready = context.socket(zmq::PULL)?;
    let ready_at = bind(&ready, &rendezvous.address("ready"))?;

    let listener = context.clone();
    let subscriber = thread::spawn(move || -> Result<Heard> {
        let subscriber = listener.socket(zmq::SUB)?;
        subscriber.connect(&news)?;
        subscriber.set_subscribe(b"temp")?;
        subscriber.set_subscribe(b"sync")?;
        let confirm = socket(&listener, zmq::PUSH, PATIENCE)?;
        confirm.connect(&ready_at)?;
        subscribe(&subscriber, &confirm, messages)
    });
    // No waiting here: the publisher starts as soon as the subscriber thread
    // exists.
    publish(&publisher, &ready, messages, handshake, PATIENCE)?;
    subscriber.join().expect("the subscriber does not panic")
}

#[cfg(test)]
mod tests {
    use book_helpers::finishes_within;

    use super::*;

    #[test]
    fn a_subscriber_that_never_answers_is_given_up_on_at_each_wait() {
        let patience = Duration::from_millis(300);
        for (handshake, gave_up) in
            [(true, "never confirmed"), (false, "never acknowledged")]
        {
            let (error, waited) =
                finishes_within(Duration::from_secs(20), move || {
                    let context = zmq::Context::new();
                    let publisher = context.socket(zmq::PUB).unwrap();
                    // Nobody ever confirms or acknowledges on this socket.
                    let ready = context.socket(zmq::PULL).unwrap();
                    ready.bind("inproc://silence").unwrap();
                    let started = Instant::now();
                    let outcome =
                        publish(&publisher, &ready, 0, handshake, patience);
                    (outcome.expect_err("nobody answers"), started.elapsed())
                });
            assert!(error.to_string().contains(gave_up), "{error}");
            assert!(waited >= patience, "gave up after {waited:?}");
        }
    }
}
