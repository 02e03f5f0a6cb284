//! All three producers yield the same items in the same order, stop at the same
//! error, and the two lazy ones fetch only the pages the consumer needed.

use std::sync::Arc;
use std::time::Duration;

use book_helpers::finishes_within;
use ch14_paginated_producer::{
    Api, FetchError, Item, Pages, with_channel, with_yield,
};
use futures::{Stream, StreamExt};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime")
}

async fn all(items: impl Stream<Item = Item>) -> Vec<Item> {
    items.collect().await
}

/// The three producers' full output for one API shape.
fn drain_all(
    pages: u32,
    per_page: u32,
    fail_at: Option<u32>,
) -> [Vec<Item>; 3] {
    runtime().block_on(async {
        let api = || Api::new(pages, per_page, Duration::ZERO, fail_at);
        let (channel, producer) = with_channel(api(), 1 + (pages as usize % 5));
        let a = all(channel).await;
        producer.await.expect("the producer finishes");
        let b = all(Pages::new(api())).await;
        let c = all(with_yield(api())).await;
        [a, b, c]
    })
}

#[test]
fn every_producer_yields_every_item_once_in_order() {
    let [a, b, c] =
        finishes_within(Duration::from_secs(30), || drain_all(10, 5, None));
    let expected: Vec<Item> = (0..50).map(Ok).collect();
    assert_eq!(a, expected);
    assert_eq!(b, expected);
    assert_eq!(c, expected);
}

#[test]
fn a_failed_page_ends_every_stream_with_that_error() {
    let [a, b, c] =
        finishes_within(Duration::from_secs(30), || drain_all(6, 3, Some(2)));
    let mut expected: Vec<Item> = (0..6).map(Ok).collect();
    expected.push(Err(FetchError(2)));
    assert_eq!(a, expected);
    assert_eq!(b, expected);
    assert_eq!(c, expected);
}

#[test]
fn a_fetch_error_names_its_page() {
    assert_eq!(FetchError(2).to_string(), "page 2 could not be fetched");
}

#[test]
fn stress_many_shapes_give_identical_streams() {
    finishes_within(Duration::from_secs(60), || {
        for iteration in 0..200_u32 {
            let pages = 1 + iteration % 7;
            let per_page = 1 + iteration % 4;
            let fail_at =
                (iteration % 3 == 0).then_some(iteration % (pages + 1));
            let [a, b, c] = drain_all(pages, per_page, fail_at);
            assert_eq!(a, b, "iteration {iteration}");
            assert_eq!(b, c, "iteration {iteration}");
            let items = a.iter().filter(|item| item.is_ok()).count() as u32;
            match fail_at {
                Some(page) if page < pages => {
                    assert_eq!(items, page * per_page)
                }
                _ => {
                    assert_eq!(items, pages * per_page, "iteration {iteration}")
                }
            }
        }
    });
}

#[test]
fn the_lazy_producers_fetch_only_the_pages_that_were_read() {
    finishes_within(Duration::from_secs(30), || {
        runtime().block_on(async {
            for take in 1..=12_u32 {
                let hand = Api::new(10, 5, Duration::ZERO, None);
                let _: Vec<Item> = Pages::new(Arc::clone(&hand))
                    .take(take as usize)
                    .collect()
                    .await;
                let generator = Api::new(10, 5, Duration::ZERO, None);
                let _: Vec<Item> = with_yield(Arc::clone(&generator))
                    .take(take as usize)
                    .collect()
                    .await;
                let needed = take.div_ceil(5);
                assert_eq!(hand.pages_fetched(), needed, "take {take}");
                assert_eq!(generator.pages_fetched(), needed, "take {take}");
            }
        });
    });
}
