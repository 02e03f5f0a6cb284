use std::sync::Barrier;
use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use ch08_lock_free::queues::{Queue, through};
use exercises::ch08::BoundedSegQueue;

#[test]
fn ch08_a_full_queue_hands_the_item_back() {
    let queue = BoundedSegQueue::new(3);
    for i in 0..3 {
        assert_eq!(queue.push(i), Ok(()));
    }
    assert_eq!(queue.push(3), Err(3), "full at three");
    assert_eq!(queue.len(), 3);
    assert_eq!(queue.pop(), Some(0));
    assert_eq!(queue.push(3), Ok(()), "a pop frees a slot");
    assert_eq!(queue.push(4), Err(4), "and only one");
    let rest: Vec<_> = std::iter::from_fn(|| queue.pop()).collect();
    assert_eq!(rest, [1, 2, 3], "first in, first out");
    assert!(queue.is_empty());
    assert_eq!(queue.pop(), None);
    assert_eq!(queue.len(), 0, "popping nothing frees nothing");
    assert_eq!(queue.capacity(), 3);
    let none = BoundedSegQueue::new(0);
    assert_eq!(none.push("no room"), Err("no room"));
}

#[test]
fn ch08_the_listings_harness_moves_every_item_once() {
    finishes_within(Duration::from_secs(60), || {
        for (capacity, producers, consumers) in
            [(1, 1, 1), (1, 3, 2), (4, 2, 2), (4, 1, 4), (64, 3, 3)]
        {
            let queue = BoundedSegQueue::new(capacity);
            let per_producer = 5_000;
            let got = through(&queue, producers, consumers, per_producer);
            let mut all: Vec<usize> = got.into_iter().flatten().collect();
            all.sort_unstable();
            let expected: Vec<usize> = (0..producers * per_producer).collect();
            assert!(
                all == expected,
                "capacity {capacity}: {} items came out of {}",
                all.len(),
                expected.len()
            );
            assert!(queue.is_empty(), "nothing left behind");
        }
    });
}

#[test]
fn ch08_racing_producers_fill_exactly_the_capacity() {
    finishes_within(Duration::from_secs(60), || {
        for round in 0..200 {
            let capacity = 1 + round % 8;
            let queue = BoundedSegQueue::new(capacity);
            let threads = 4;
            let start = Barrier::new(threads);
            let pushed: usize = thread::scope(|scope| {
                let handles: Vec<_> = (0..threads)
                    .map(|_| {
                        scope.spawn(|| {
                            start.wait();
                            (0..capacity)
                                .filter(|&i| queue.push(i).is_ok())
                                .count()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("no panic"))
                    .sum()
            });
            assert_eq!(pushed, capacity, "round {round}: accepted pushes");
            assert_eq!(queue.len(), capacity, "round {round}: slots taken");
            let popped = std::iter::from_fn(|| queue.pop()).count();
            assert_eq!(popped, capacity, "round {round}: items in the queue");
        }
    });
}
