//! Each tool, run many times with varied thread counts: results exactly those
//! of one thread, nothing lost or duplicated, and a time limit on everything
//! that could block.

use std::time::Duration;

use book_helpers::finishes_within;
use ch05_threads_and_locks::{
    BoundedBuffer, barrier_phases, mutex_counter, produce_consume,
    rwlock_readers, scoped_sum, squares,
};

const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn spawn_and_scope_return_what_one_thread_computes() {
    assert_eq!(squares(0), Vec::<u64>::new());
    assert_eq!(squares(5), [0, 1, 4, 9, 16]);
    let numbers: Vec<u64> = (0..1_001).collect();
    for threads in [0, 1, 2, 3, 7, 1_000, 5_000] {
        assert_eq!(scoped_sum(&numbers, threads), 500_500, "{threads}");
    }
    assert_eq!(scoped_sum(&[], 4), 0);
}

#[test]
fn the_mutex_counter_never_loses_an_increment() {
    finishes_within(LIMIT, || {
        for round in 0..200 {
            let threads = 1 + round % 8;
            assert_eq!(mutex_counter(threads, 500), threads as u64 * 500);
        }
    });
}

#[test]
fn rwlock_readers_see_whole_versions_in_order() {
    finishes_within(LIMIT, || {
        for round in 0..200 {
            let readers = 1 + round % 6;
            let seen_by_each = rwlock_readers(readers, 20);
            assert_eq!(seen_by_each.len(), readers, "one list per reader");
            for seen in seen_by_each {
                assert!(seen.is_sorted(), "{seen:?}");
                assert_eq!(seen.last(), Some(&20));
            }
        }
    });
}

#[test]
fn the_bounded_buffer_delivers_every_item_once_and_stays_bounded() {
    finishes_within(LIMIT, || {
        for round in 0..200 {
            let producers = 1 + round % 4;
            let consumers = 1 + (round / 4) % 4;
            let capacity = 1 + round % 5;
            let (mut got, most) =
                produce_consume(producers, consumers, 100, capacity);
            got.sort_unstable();
            let sent: Vec<usize> = (0..producers * 100).collect();
            assert_eq!(got, sent, "{producers} → {consumers}, {capacity}");
            assert!(most <= capacity, "held {most} > {capacity}");
        }
    });
}

#[test]
fn one_consumer_receives_each_producers_items_in_order() {
    finishes_within(LIMIT, || {
        let (got, _) = produce_consume(1, 1, 1_000, 3);
        assert_eq!(got, (0..1_000).collect::<Vec<_>>());
    });
}

#[test]
fn the_high_mark_is_the_most_items_held_at_once() {
    let buffer = BoundedBuffer::new(5);
    for item in 0..3 {
        buffer.push(item);
    }
    assert_eq!(buffer.pop(), Some(0));
    buffer.push(3);
    assert_eq!(buffer.most_held(), 3);
}

#[test]
fn a_closed_empty_buffer_returns_none_at_once() {
    finishes_within(LIMIT, || {
        let buffer = BoundedBuffer::<u8>::new(1);
        buffer.push(7);
        buffer.close();
        assert_eq!(buffer.pop(), Some(7), "items before close still arrive");
        assert_eq!(buffer.pop(), None);
    });
}

#[test]
fn nobody_passes_the_barrier_before_everyone_wrote() {
    finishes_within(LIMIT, || {
        for round in 0..200 {
            let threads = 1 + round % 9;
            let total = (threads * (threads + 1) / 2) as u64;
            assert_eq!(barrier_phases(threads), vec![total; threads]);
        }
    });
}
