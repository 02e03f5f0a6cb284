use std::time::Duration;

use book_helpers::finishes_within;
use exercises::ch29::{Overflow, serve_in_memory};
use tarpc::context;

/// The running totals by a plain loop: what the service must answer.
fn expected(numbers: &[u64]) -> Result<Vec<u64>, Overflow> {
    let mut totals: Vec<u64> = Vec::new();
    for (at, &n) in numbers.iter().enumerate() {
        let before = totals.last().copied().unwrap_or(0);
        totals.push(before.checked_add(n).ok_or(Overflow { at })?);
    }
    Ok(totals)
}

/// Runs `work` on a fresh one-thread runtime, within ten seconds.
fn on_a_runtime<F: Future<Output = ()> + 'static>(
    work: impl FnOnce() -> F + Send + 'static,
) {
    finishes_within(Duration::from_secs(10), move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(work());
    });
}

#[test]
fn ch29_running_totals_over_the_in_memory_transport() {
    on_a_runtime(|| async {
        let client = serve_in_memory();
        let lists: [Vec<u64>; 5] = [
            vec![],
            vec![7],
            vec![1, 2, 3, 4, 5],
            (1..=1_000).collect(),
            vec![u64::MAX - 1, 1, 0],
        ];
        for numbers in lists {
            let reply = client
                .running_totals(context::current(), numbers.clone())
                .await
                .expect("the call reaches the server");
            assert_eq!(reply, expected(&numbers), "the totals of {numbers:?}");
        }
    });
}

#[test]
fn ch29_an_overflow_is_an_error_not_a_wrap() {
    on_a_runtime(|| async {
        let client = serve_in_memory();
        for numbers in [vec![u64::MAX, 1], vec![3, u64::MAX - 3, 0, 1, 5]] {
            let reply = client
                .running_totals(context::current(), numbers.clone())
                .await
                .expect("the call reaches the server");
            assert_eq!(reply, expected(&numbers), "the totals of {numbers:?}");
        }
    });
}

#[test]
fn ch29_calls_in_flight_together_and_two_servers() {
    on_a_runtime(|| async {
        let (one, two) = (serve_in_memory(), serve_in_memory());
        let (a, b, c) = tokio::join!(
            one.running_totals(context::current(), vec![1, 1, 1]),
            one.running_totals(context::current(), vec![2, 2]),
            two.running_totals(context::current(), vec![5]),
        );
        assert_eq!(a.expect("a reply"), Ok(vec![1, 2, 3]));
        assert_eq!(b.expect("a reply"), Ok(vec![2, 4]));
        assert_eq!(c.expect("a reply"), Ok(vec![5]));
    });
}
