#![cfg(loom)]
//! The ring's index logic under loom, which runs each model in every
//! interleaving and lets each load read any store the memory model allows,
//! except by load buffering (see chapter 7): values arrive once, in order,
//! and never as a slot's stale content. The `head` pair guards against load
//! buffering, so the chapter argues it; these models check the `tail` pair.
//!
//! `RUSTFLAGS="--cfg loom" cargo test --release --test loom -p
//! ch16-shared-memory-ring --target-dir target/loom`

use std::sync::Arc;

use ch16_shared_memory_ring::ring::{Full, Producer, Ring};
use loom::thread;

/// How the producer pushes: `try_push`, or the same code weakened.
type Push<const N: usize> = fn(&mut Producer<'_, N>, u64) -> Result<(), Full>;

// ANCHOR: model
/// A producer thread pushes `0..count` and closes; this thread pops until
/// the ring is closed and empty.
fn transfer<const N: usize>(count: u64, push: Push<N>) {
    loom::model(move || {
        let ring: Arc<Ring<N>> = Arc::from(Ring::<N>::new());
        let theirs = Arc::clone(&ring);
        let producer = thread::spawn(move || {
            let mut producer = theirs.producer();
            for value in 0..count {
                while push(&mut producer, value).is_err() {
                    thread::yield_now();
                }
            }
            producer.close();
        });
        let mut consumer = ring.consumer();
        let mut received = Vec::new();
        loop {
            match consumer.try_pop() {
                Some(value) => received.push(value),
                // Closed, then empty once more: nothing can follow.
                None if ring.is_closed() => match consumer.try_pop() {
                    Some(value) => received.push(value),
                    None => break,
                },
                None => thread::yield_now(),
            }
        }
        producer.join().expect("the producer does not panic");
        assert_eq!(received, (0..count).collect::<Vec<_>>());
    });
}
// ANCHOR_END: model

#[test]
fn one_slot_ring_passes_every_value_in_order() {
    transfer::<1>(3, |producer, value| producer.try_push(value));
}

#[test]
fn two_slot_ring_wraps_around_without_losing_a_value() {
    transfer::<2>(3, |producer, value| producer.try_push(value));
}

// ANCHOR: weakened
/// The model's teeth: with `tail` published `Relaxed`, loom finds the
/// execution in which the consumer sees the new `tail` but the slot's old
/// value, so the comparison of what arrived fails.
#[test]
#[should_panic(expected = "assertion `left == right` failed")]
fn with_tail_published_relaxed_a_stale_slot_is_read() {
    transfer::<1>(3, |producer, value| producer.try_push_relaxed_tail(value));
}
// ANCHOR_END: weakened

// The chapter's quiz asks which sequences the consumer of a one-slot ring can
// receive. This is the model above with the assertion replaced by a record:
// the sequence of every execution loom explores is collected, and the answer
// key in the quiz file must be exactly that set.
#[allow(dead_code)]
// Formatted with the tests crate (100 columns), not with the listings.
#[rustfmt::skip]
#[path = "../../../tests/src/quiz.rs"]
mod quiz;

#[test]
fn quiz_one_slot_ring_delivers_only_in_order() {
    let seen =
        Arc::new(std::sync::Mutex::new(std::collections::BTreeSet::new()));
    let collected = Arc::clone(&seen);
    loom::model(move || {
        let ring: Arc<Ring<1>> = Arc::from(Ring::<1>::new());
        let theirs = Arc::clone(&ring);
        let producer = thread::spawn(move || {
            let mut producer = theirs.producer();
            for value in 0..3 {
                while producer.try_push(value).is_err() {
                    thread::yield_now();
                }
            }
            producer.close();
        });
        let mut consumer = ring.consumer();
        let mut received = Vec::new();
        loop {
            match consumer.try_pop() {
                Some(value) => received.push(value),
                None if ring.is_closed() => match consumer.try_pop() {
                    Some(value) => received.push(value),
                    None => break,
                },
                None => thread::yield_now(),
            }
        }
        producer.join().expect("the producer does not panic");
        collected.lock().unwrap().insert(format!("{received:?}"));
    });
    let seen = seen.lock().unwrap().clone();
    quiz::assert_answer_key(
        std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../src/part2/quizzes/ch16-shared-memory-between-processes.toml"
        )),
        "d8b3f0a6-2c7e-4f91-a5d3-6e0b9c4f1a27",
        &seen,
    );
}
