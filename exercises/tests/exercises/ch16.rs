use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use ch16_shared_memory_ring::ring::Ring;
use exercises::ch16::receive_all;

#[test]
fn ch16_a_ring_closed_before_the_consumer_starts() {
    for pushed in [0, 1, 5, 8] {
        let ring = Ring::<8>::new();
        let mut producer = ring.producer();
        for value in 0..pushed {
            producer.try_push(value).expect("room for eight");
        }
        producer.close();
        let values = finishes_within(Duration::from_secs(10), move || {
            let mut consumer = ring.consumer();
            receive_all(|| consumer.try_pop(), || ring.is_closed())
        });
        assert_eq!(values, (0..pushed).collect::<Vec<_>>(), "{pushed} pushed");
    }
}

#[test]
fn ch16_values_pushed_just_before_the_close_arrive() {
    // The producer acts at the worst moment: each time the consumer asks
    // whether the ring is closed. The first `open` times it pushes one more
    // value and leaves the ring open; then it pushes two and closes.
    for open in [0, 1, 3] {
        let values = finishes_within(Duration::from_secs(10), move || {
            let ring = Ring::<8>::new();
            let mut producer = ring.producer();
            let mut next = 0;
            for _ in 0..3 {
                producer.try_push(next).expect("room");
                next += 1;
            }
            let mut asked = 0;
            let mut consumer = ring.consumer();
            receive_all(
                || consumer.try_pop(),
                || {
                    if asked < open {
                        producer.try_push(next).expect("room");
                        next += 1;
                    } else if asked == open {
                        producer.try_push(next).expect("room");
                        producer.try_push(next + 1).expect("room");
                        producer.close();
                    }
                    asked += 1;
                    ring.is_closed()
                },
            )
        });
        assert_eq!(
            values,
            (0..open + 5).collect::<Vec<_>>(),
            "values pushed just before the close were lost"
        );
    }
}

/// Sets its flag when dropped, a panic's unwinding included.
struct Gone<'a>(&'a AtomicBool);

impl Drop for Gone<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// A producer thread pushes `0..count`, pausing `pauses` times on the way
/// so that the consumer finds the ring empty but open, then closes it.
fn transfer(count: u64, pauses: u64) -> Vec<u64> {
    finishes_within(Duration::from_secs(60), move || {
        let ring = Ring::<16>::new();
        let consumer_gone = AtomicBool::new(false);
        thread::scope(|scope| {
            scope.spawn(|| {
                let mut producer = ring.producer();
                for value in 0..count {
                    if pauses > 0 && value % (count / pauses).max(1) == 0 {
                        thread::sleep(Duration::from_millis(2));
                    }
                    while producer.try_push(value).is_err() {
                        if consumer_gone.load(Ordering::Relaxed) {
                            return; // it panicked: nobody will make room
                        }
                        thread::yield_now();
                    }
                }
                producer.close();
            });
            let _gone = Gone(&consumer_gone);
            let mut consumer = ring.consumer();
            receive_all(|| consumer.try_pop(), || ring.is_closed())
        })
    })
}

#[test]
fn ch16_every_value_once_and_in_order_between_threads() {
    for (count, pauses) in [(100_000, 0), (20_000, 5), (1, 1), (0, 0)] {
        let values = transfer(count, pauses);
        assert_eq!(values.len() as u64, count, "values received of {count}");
        assert!(
            values.iter().copied().eq(0..count),
            "the i-th value received is i"
        );
    }
}
