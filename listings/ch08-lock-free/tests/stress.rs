//! Every structure under many threads, many times: nothing lost, nothing
//! duplicated, sums exact, and a time limit so a livelock fails the test.

use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use ch08_lock_free::queues::{MutexQueue, Queue, through};
use ch08_lock_free::stealing::parallel_sum;
use ch08_lock_free::treiber::TreiberStack;
use crossbeam_queue::{ArrayQueue, SegQueue};

const LIMIT: Duration = Duration::from_secs(90);

fn each_once(got: Vec<Vec<usize>>, total: usize) {
    let mut all: Vec<usize> = got.into_iter().flatten().collect();
    all.sort_unstable();
    assert_eq!(all, (0..total).collect::<Vec<_>>());
}

#[test]
fn queues_deliver_every_item_exactly_once() {
    finishes_within(LIMIT, || {
        for round in 0..200 {
            let producers = 1 + round % 4;
            let consumers = 1 + (round / 4) % 4;
            let capacity = 1 + round % 9;
            let total = producers * 200;
            let bounded = ArrayQueue::new(capacity);
            each_once(through(&bounded, producers, consumers, 200), total);
            let unbounded = SegQueue::new();
            each_once(through(&unbounded, producers, consumers, 200), total);
            let locked = MutexQueue::bounded(capacity);
            each_once(through(&locked, producers, consumers, 200), total);
            let locked = MutexQueue::unbounded();
            each_once(through(&locked, producers, consumers, 200), total);
        }
    });
}

#[test]
fn work_stealing_sums_exactly_for_any_worker_count_and_grain() {
    finishes_within(LIMIT, || {
        for round in 0..200u64 {
            let workers = 1 + (round % 8) as usize;
            let n = 1 + round * 997;
            let grain = 1 + round % 50 * 40;
            let reports = parallel_sum(n, workers, grain);
            assert_eq!(reports.len(), workers);
            let sum: u64 = reports.iter().map(|r| r.sum).sum();
            assert_eq!(sum, n * (n - 1) / 2, "n {n}, {workers} workers");
            let tasks: usize = reports.iter().map(|r| r.tasks).sum();
            // A binary split tree has an odd number of nodes.
            assert_eq!(tasks % 2, 1, "{reports:?}");
            // The first task comes from the injector, which counts as a
            // steal; a lone worker then lives on its own deque.
            let stolen: usize = reports.iter().map(|r| r.stolen).sum();
            assert!((1..=tasks).contains(&stolen), "{reports:?}");
            if workers == 1 {
                assert_eq!(stolen, 1, "{reports:?}");
            }
        }
    });
}

#[test]
fn an_empty_range_is_one_task_and_sums_to_zero() {
    let reports = finishes_within(LIMIT, || parallel_sum(0, 3, 10));
    assert_eq!(reports.iter().map(|r| r.tasks).sum::<usize>(), 1);
    assert_eq!(reports.iter().map(|r| r.sum).sum::<u64>(), 0);
}

#[test]
fn the_stack_is_last_in_first_out_on_one_thread() {
    let stack = TreiberStack::new();
    assert_eq!(stack.pop(), None);
    (1..=3).for_each(|n| stack.push(n));
    assert_eq!([stack.pop(), stack.pop()], [Some(3), Some(2)]);
    stack.push(9);
    assert_eq!(
        [stack.pop(), stack.pop(), stack.pop()],
        [Some(9), Some(1), None]
    );
}

#[test]
fn the_stack_loses_and_duplicates_nothing_under_contention() {
    finishes_within(LIMIT, || {
        for round in 0..200 {
            let threads = 1 + round % 8;
            let stack = TreiberStack::new();
            let popped: Vec<Vec<usize>> = thread::scope(|scope| {
                let handles: Vec<_> = (0..threads)
                    .map(|t| {
                        let stack = &stack;
                        scope.spawn(move || {
                            let mut mine = Vec::new();
                            for i in 0..300 {
                                stack.push(t * 300 + i);
                                if i % 3 != 0 {
                                    mine.extend(stack.pop());
                                }
                            }
                            mine
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            let mut rest = Vec::new();
            while let Some(item) = stack.pop() {
                rest.push(item);
            }
            let mut all = popped;
            all.push(rest);
            each_once(all, threads * 300);
        }
    });
}

#[test]
fn dropping_a_full_stack_drops_every_value() {
    use std::sync::Arc;
    let token = Arc::new(());
    let stack = TreiberStack::new();
    (0..100).for_each(|_| stack.push(Arc::clone(&token)));
    drop(stack);
    assert_eq!(Arc::strong_count(&token), 1, "no value leaked");
}

#[test]
fn the_mutex_baseline_keeps_its_bound_and_its_order() {
    let bounded = MutexQueue::bounded(2);
    assert_eq!(Queue::push(&bounded, 1), Ok(()));
    assert_eq!(Queue::push(&bounded, 2), Ok(()));
    assert_eq!(Queue::push(&bounded, 3), Err(3), "full: handed back");
    assert_eq!(Queue::pop(&bounded), Some(1), "first in, first out");
    assert_eq!(Queue::push(&bounded, 3), Ok(()));
    assert_eq!(
        (Queue::pop(&bounded), Queue::pop(&bounded)),
        (Some(2), Some(3))
    );
    assert_eq!(Queue::pop(&bounded), None);
    let unbounded = MutexQueue::unbounded();
    assert!((0..10_000).all(|i| Queue::push(&unbounded, i).is_ok()));
}
