use std::time::Duration;

use book_helpers::finishes_within;
use ch06_promises::oneshot::{NoValue, Pending, Promise, promise};
use ch06_promises::pool::ThreadPool;
use exercises::ch06::all_of;

const LIMIT: Duration = Duration::from_secs(20);

fn promises(n: usize) -> (Vec<Promise<usize>>, Vec<Pending<usize>>) {
    (0..n).map(|_| promise()).unzip()
}

#[test]
fn ch06_all_of_returns_at_once_and_keeps_the_order_given() {
    finishes_within(LIMIT, || {
        let (promises, pendings) = promises(5);
        // Nothing is fulfilled yet: `all_of` must not wait for the values.
        let all = all_of(pendings);
        let mut promises: Vec<_> = promises.into_iter().enumerate().collect();
        // The last value comes first; the first comes last.
        let (first, promise) = promises.remove(0);
        for (value, promise) in promises.into_iter().rev() {
            promise.fulfil(value);
        }
        assert_eq!(
            all.wait_timeout(Duration::from_millis(50)),
            Err(NoValue::TimedOut),
            "one value is still missing"
        );
        promise.fulfil(first);
        assert_eq!(all.wait(), Ok(Ok(vec![0, 1, 2, 3, 4])));
    });
}

#[test]
fn ch06_all_of_reports_a_broken_promise() {
    finishes_within(LIMIT, || {
        let (promises, pendings) = promises(4);
        let all = all_of(pendings);
        for (value, promise) in promises.into_iter().enumerate() {
            if value == 2 {
                drop(promise); // never kept
            } else {
                promise.fulfil(value);
            }
        }
        assert_eq!(all.wait(), Ok(Err(NoValue::Broken)));
    });
}

#[test]
fn ch06_all_of_nothing_is_nothing() {
    finishes_within(LIMIT, || {
        let all = all_of(Vec::<Pending<u8>>::new());
        assert_eq!(all.wait(), Ok(Ok(Vec::new())));
    });
}

#[test]
fn ch06_all_of_gathers_a_pools_results() {
    finishes_within(LIMIT, || {
        for threads in [1, 3, 8] {
            let pool = ThreadPool::new(threads);
            let pendings = (0..50_u64)
                .map(|i| {
                    pool.submit(move || {
                        // Later jobs are quicker, so they finish out of turn.
                        std::thread::sleep(Duration::from_micros(50 - i));
                        i * i
                    })
                })
                .collect();
            let squares: Vec<u64> = (0..50).map(|i| i * i).collect();
            assert_eq!(all_of(pendings).wait(), Ok(Ok(squares)));
        }
    });
}
