//! The ring between two threads of one process, many times over, with
//! small rings so that it is full and empty again and again.

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use ch16_shared_memory_ring::ring::{Full, Ring};

fn transfer<const N: usize>(count: u64) -> Vec<u64> {
    let ring: Arc<Ring<N>> = Arc::from(Ring::<N>::new());
    let theirs = Arc::clone(&ring);
    let producer = thread::spawn(move || {
        let mut producer = theirs.producer();
        for value in 0..count {
            while producer.try_push(value).is_err() {
                thread::yield_now();
            }
        }
        producer.close();
    });
    let mut consumer = ring.consumer();
    let mut received = Vec::with_capacity(count as usize);
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
    received
}

#[test]
fn every_value_arrives_once_and_in_order_stress() {
    finishes_within(Duration::from_secs(120), || {
        for run in 0..200_u64 {
            let count = 1 + run * 11;
            let expected: Vec<u64> = (0..count).collect();
            assert_eq!(transfer::<1>(count), expected, "1 slot, run {run}");
            assert_eq!(transfer::<3>(count), expected, "3 slots, run {run}");
            assert_eq!(transfer::<64>(count), expected, "64 slots, run {run}");
        }
    });
}

#[test]
fn a_full_ring_refuses_and_an_empty_one_is_empty() {
    let ring = Ring::<2>::new();
    let mut producer = ring.producer();
    let mut consumer = ring.consumer();
    assert_eq!(consumer.try_pop(), None);
    assert_eq!(producer.try_push(10), Ok(()));
    assert_eq!(producer.try_push(11), Ok(()));
    assert_eq!(producer.try_push(12), Err(Full(12)));
    assert_eq!(ring.counts(), (2, 0));
    assert_eq!(consumer.try_pop(), Some(10));
    assert_eq!(producer.try_push(12), Ok(()));
    assert_eq!(consumer.try_pop(), Some(11));
    assert_eq!(consumer.try_pop(), Some(12));
    assert_eq!(consumer.try_pop(), None);
    assert!(!ring.is_closed());
    producer.close();
    assert!(ring.is_closed());
}
