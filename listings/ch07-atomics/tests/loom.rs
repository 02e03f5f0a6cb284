//! Every algorithm of the chapter, model-checked: loom runs each closure
//! under every interleaving and every outcome the memory model allows.
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
            thread::spawn(move || lock.with_lock(|n| *n += 1))
        };
        // loom's UnsafeCell reports a data race if the two critical
        // sections ever overlap or are not ordered by the lock.
        lock.with_lock(|n| *n += 1);
        other.join().unwrap();
        assert_eq!(lock.with_lock(|n| *n), 2);
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
