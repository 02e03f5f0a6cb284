//! Every algorithm of the chapter, model-checked: loom runs each closure
//! under every interleaving, letting each load read any value the memory
//! model allows except by load buffering, with `SeqCst` loads and stores
//! treated as `AcqRel` (the chapter says why these models are not hurt).
//! Run as `cargo xtask test` does:
//! `RUSTFLAGS="--cfg loom" cargo test --release --test loom -p ch07-atomics
//! --target-dir target/loom`
#![cfg(loom)]

use ch07_atomics::counter::EventCounter;
use ch07_atomics::handshake::Handshake;
use ch07_atomics::publish::Mailbox;
use ch07_atomics::spinlock::SpinLock;
use loom::sync::Arc;
use loom::thread;

#[test]
fn relaxed_increments_are_never_lost() {
    loom::model(|| {
        let counter = Arc::new(EventCounter::default());
        let others: Vec<_> = (0..2)
            .map(|_| {
                let counter = Arc::clone(&counter);
                thread::spawn(move || {
                    counter.record();
                    counter.record();
                })
            })
            .collect();
        counter.record();
        for other in others {
            other.join().unwrap();
        }
        assert_eq!(counter.total(), 5);
    });
}

#[test]
fn a_published_message_is_seen_whole() {
    loom::model(|| {
        let mailbox = Arc::new(Mailbox::default());
        let writer = {
            let mailbox = Arc::clone(&mailbox);
            thread::spawn(move || mailbox.publish([1, 2, 3]))
        };
        // Either not yet published, or all three words: never a mix.
        if let Some(message) = mailbox.try_read() {
            assert_eq!(message, [1, 2, 3]);
        }
        writer.join().unwrap();
        assert_eq!(mailbox.try_read(), Some([1, 2, 3]));
    });
}

#[test]
fn the_spinlock_excludes_and_publishes() {
    loom::model(|| {
        let lock = Arc::new(SpinLock::new(0u32));
        let other = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || *lock.lock() += 1)
        };
        // loom's UnsafeCell reports a data race if the two critical
        // sections ever overlap or are not ordered by the lock.
        *lock.lock() += 1;
        other.join().unwrap();
        assert_eq!(*lock.lock(), 2);
    });
}

// ANCHOR: models
#[test]
fn with_a_seqcst_fence_someone_sees_the_other() {
    loom::model(|| {
        let handshake = Arc::new(Handshake::default());
        let other = {
            let handshake = Arc::clone(&handshake);
            thread::spawn(move || handshake.arrive(1))
        };
        let mine = handshake.arrive(0);
        let theirs = other.join().unwrap();
        assert!(mine || theirs, "both parties missed each other");
    });
}

/// The deliberately wrong ordering: loom finds the execution in which both
/// loads read `false`, so this model is expected to fail.
#[test]
#[should_panic(expected = "both parties missed each other")]
fn with_release_acquire_both_can_miss() {
    loom::model(|| {
        let handshake = Arc::new(Handshake::default());
        let other = {
            let handshake = Arc::clone(&handshake);
            thread::spawn(move || handshake.arrive_release_acquire(1))
        };
        let mine = handshake.arrive_release_acquire(0);
        let theirs = other.join().unwrap();
        assert!(mine || theirs, "both parties missed each other");
    });
}
// ANCHOR_END: models

// The chapter's quiz asks which results the two handshakes can return; loom
// answers it by collecting the pair from every execution it explores, and the
// answer key in the quiz file must be exactly that set.
#[allow(dead_code)]
// Formatted with the tests crate (100 columns), not with the listings.
#[rustfmt::skip]
#[path = "../../../tests/src/quiz.rs"]
mod quiz;

const QUIZ: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../src/part2/quizzes/ch07-atomics-and-memory-ordering.toml"
);

/// Every `(mine, theirs)` pair that two simultaneous `arrive` calls return
/// in some execution loom explores.
fn handshake_outcomes(
    arrive: fn(&Handshake, usize) -> bool,
) -> std::collections::BTreeSet<String> {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(
        std::collections::BTreeSet::new(),
    ));
    let collected = std::sync::Arc::clone(&seen);
    loom::model(move || {
        let handshake = Arc::new(Handshake::default());
        let other = {
            let handshake = Arc::clone(&handshake);
            thread::spawn(move || arrive(&handshake, 1))
        };
        let mine = arrive(&handshake, 0);
        let theirs = other.join().unwrap();
        collected
            .lock()
            .unwrap()
            .insert(format!("({mine}, {theirs})"));
    });
    let seen = seen.lock().unwrap().clone();
    seen
}

#[test]
fn quiz_release_acquire_handshake_outcomes() {
    let seen = handshake_outcomes(Handshake::arrive_release_acquire);
    quiz::assert_answer_key(
        std::path::Path::new(QUIZ),
        "a4f1c7e2-9b3d-4e58-8c06-1d7e5f2b9a34",
        &seen,
    );
}

#[test]
fn quiz_seqcst_fence_handshake_outcomes() {
    let seen = handshake_outcomes(Handshake::arrive);
    quiz::assert_answer_key(
        std::path::Path::new(QUIZ),
        "6c2e8b51-0d7a-4f39-b4e8-9a3c1f6d2e75",
        &seen,
    );
}
