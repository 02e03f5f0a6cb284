use std::time::Duration;

use ch14_paginated_producer::{Api, FetchError, with_yield};
use exercises::ch14::with_unfold;
use futures::StreamExt;

fn block_on<T>(work: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime")
        .block_on(work)
}

/// The APIs both producers are run against: (pages, per page, failing page).
const SHAPES: [(u32, u32, Option<u32>); 9] = [
    (1, 5, None),
    (4, 5, None),
    (3, 1, None),
    (5, 3, Some(0)),
    (5, 3, Some(2)),
    (5, 3, Some(4)),
    (3, 0, None),
    (3, 0, Some(2)),
    (7, 4, None),
];

fn api(
    (pages, per_page, fail_at): (u32, u32, Option<u32>),
) -> std::sync::Arc<Api> {
    Api::new(pages, per_page, Duration::ZERO, fail_at)
}

#[test]
fn ch14_unfold_yields_what_with_yield_yields() {
    for shape in SHAPES {
        let (expected, mine) = block_on(async {
            let expected: Vec<_> = with_yield(api(shape)).collect().await;
            let mine: Vec<_> = with_unfold(api(shape)).collect().await;
            (expected, mine)
        });
        assert_eq!(mine, expected, "pages, per page, failing: {shape:?}");
        if let Some(at) = shape.2 {
            assert_eq!(mine.last(), Some(&Err(FetchError(at))));
        }
    }
}

#[test]
fn ch14_unfold_fetches_only_what_is_asked_for() {
    for shape in SHAPES {
        for take in [0, 1, 3, 5, 6, 11, 40] {
            let (expected, mine) = block_on(async {
                let reference = api(shape);
                let _: Vec<_> = with_yield(std::sync::Arc::clone(&reference))
                    .take(take)
                    .collect()
                    .await;
                let under_test = api(shape);
                let _: Vec<_> = with_unfold(std::sync::Arc::clone(&under_test))
                    .take(take)
                    .collect()
                    .await;
                (reference.pages_fetched(), under_test.pages_fetched())
            });
            assert_eq!(
                mine, expected,
                "pages fetched to take {take} items of {shape:?}"
            );
        }
    }
    // Nothing is fetched before the stream is polled.
    let untouched = api((4, 5, None));
    drop(with_unfold(std::sync::Arc::clone(&untouched)));
    assert_eq!(untouched.pages_fetched(), 0);
}
