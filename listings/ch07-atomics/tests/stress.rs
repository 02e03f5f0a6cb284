//! The same algorithms the loom models check, run on real threads many times
//! with varied thread counts, each run under a time limit.

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use ch07_atomics::counter::EventCounter;
use ch07_atomics::handshake::Handshake;
use ch07_atomics::publish::Mailbox;
use ch07_atomics::spinlock::SpinLock;

const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn counter_and_spinlock_are_exact_for_any_thread_count() {
    finishes_within(LIMIT, || {
        for round in 0..200 {
            let threads = 1 + round % 8;
            let counter = EventCounter::default();
            let lock = SpinLock::new(Vec::new());
            thread::scope(|scope| {
                for t in 0..threads {
                    let (counter, lock) = (&counter, &lock);
                    scope.spawn(move || {
                        for i in 0..200 {
                            counter.record();
                            lock.lock().push((t, i));
                        }
                    });
                }
            });
            assert_eq!(counter.total(), threads as u64 * 200);
            let mut seen = std::mem::take(&mut *lock.lock());
            seen.sort_unstable();
            seen.dedup();
            assert_eq!(seen.len(), threads * 200, "nothing lost or doubled");
        }
    });
}

#[test]
fn a_polling_reader_only_ever_sees_whole_messages() {
    finishes_within(LIMIT, || {
        for round in 0..200u64 {
            let mailbox = Mailbox::default();
            assert_eq!(mailbox.try_read(), None);
            thread::scope(|scope| {
                scope.spawn(|| mailbox.publish([round, !round, round * 3]));
                let message = loop {
                    if let Some(message) = mailbox.try_read() {
                        break message;
                    }
                    thread::yield_now();
                };
                assert_eq!(message, [round, !round, round * 3]);
            });
        }
    });
}

#[test]
fn the_fenced_handshake_never_lets_both_miss() {
    finishes_within(LIMIT, || {
        for _ in 0..2_000 {
            let handshake = Handshake::default();
            let (a, b) = thread::scope(|scope| {
                let other = scope.spawn(|| handshake.arrive(1));
                let mine = handshake.arrive(0);
                (mine, other.join().expect("no panic"))
            });
            assert!(a || b);
        }
    });
}

#[test]
fn one_party_alone_sees_nobody_and_the_second_sees_the_first() {
    let handshake = Handshake::default();
    assert!(!handshake.arrive(0));
    assert!(handshake.arrive(1));
    let wrong = Handshake::default();
    assert!(!wrong.arrive_release_acquire(1));
    assert!(
        wrong.arrive_release_acquire(0),
        "in one thread it is in order"
    );
}

#[test]
fn a_panic_inside_the_lock_releases_it() {
    let lock = Arc::new(SpinLock::new(0u32));
    let inside = Arc::clone(&lock);
    let holder = thread::spawn(move || {
        let mut value = inside.lock();
        *value += 1;
        panic!("inside the critical section");
    });
    assert!(holder.join().is_err(), "the holder panicked");
    // Its guard was dropped while unwinding, so this does not spin for ever.
    let value = finishes_within(Duration::from_secs(10), move || *lock.lock());
    assert_eq!(value, 1);
}
