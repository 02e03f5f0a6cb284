//! Every way of sharing the counter counts every increment, and the writer
//! gets into std's and parking_lot's RwLock among busy readers, where a
//! readers-first lock keeps it out.

use std::time::Duration;

use book_helpers::finishes_within;
use ch05_contention::{Counter, Lock, count, writer_waits};

/// Far more than any of these runs needs, even on a loaded machine.
const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn every_counter_counts_every_increment() {
    finishes_within(LIMIT, || {
        for counter in Counter::ALL {
            for threads in 1..=9 {
                // Totals that do and do not divide among the threads.
                for total in [0, 1, 7, 1_000, 3_000_001] {
                    assert_eq!(
                        count(counter, threads, total),
                        total,
                        "{} with {threads} threads",
                        counter.name()
                    );
                }
            }
        }
    });
}

#[test]
fn the_writer_gets_into_std_and_parking_lot_rwlocks_among_busy_readers() {
    for lock in [Lock::Std, Lock::ParkingLot] {
        let seen = finishes_within(LIMIT, move || {
            writer_waits(
                lock,
                6,
                Duration::from_millis(2),
                10,
                Duration::from_secs(20),
            )
        });
        assert_eq!(seen.waits.len(), 10, "{}: {seen:?}", lock.name());
        assert!(seen.reads > 0, "{}: the readers never read", lock.name());
    }
}

#[test]
fn a_readers_first_lock_keeps_the_writer_out_until_the_readers_stop() {
    let seen = finishes_within(LIMIT, || {
        writer_waits(
            Lock::ReadersFirst,
            8,
            Duration::from_millis(2),
            10,
            Duration::from_millis(500),
        )
    });
    assert!(seen.waits.len() < 10, "no write was held back: {seen:?}");
    assert!(seen.reads > 0, "the readers never read");
}
