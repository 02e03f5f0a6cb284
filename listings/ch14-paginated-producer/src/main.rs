//! One paginated producer, three ways; the consumer takes a few items and
//! stops.

use std::pin::pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use book_helpers::cli;
use ch14_paginated_producer::{Api, Item, Pages, with_channel, with_yield};
use clap::Parser;
use futures::{Stream, StreamExt};

/// Fetches numbered items from a fake paginated API (5 items a page, 10 ms a
/// page) with three producers, takes the first few items from each, and counts
/// the pages each fetched.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// How many items the consumer takes before it stops (1 to 50).
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=50))]
    take: u32,
}

const PAGES: u32 = 10;
const PER_PAGE: u32 = 5;

fn api() -> Arc<Api> {
    Api::new(PAGES, PER_PAGE, Duration::from_millis(10), None)
}

// ANCHOR: consume
/// Takes `n` items, then lingers a moment (a reader looking at the first
/// screen) and drops the stream.
async fn first(items: impl Stream<Item = Item>, n: u32) -> Vec<u32> {
    let mut items = pin!(items.take(n as usize));
    let mut taken = Vec::new();
    while let Some(item) = items.next().await {
        taken.push(item.expect("the fake API does not fail here"));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    taken
}
// ANCHOR_END: consume

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    println!(
        "a paginated API: {PAGES} pages of {PER_PAGE} items; the consumer takes {}\n",
        args.take
    );

    let api_a = api();
    let (stream, producer) = with_channel(Arc::clone(&api_a), 4);
    let a = first(stream, args.take).await;
    // The consumer has dropped the receiver; the task notices at its next send.
    if producer.await.is_err() {
        return cli::exit_code(Err("the producer task panicked"));
    }
    report("(a) channel + task", &a, &api_a);

    let api_b = api();
    let b = first(Pages::new(Arc::clone(&api_b)), args.take).await;
    report("(b) hand-written Stream", &b, &api_b);

    let api_c = api();
    let c = first(with_yield(Arc::clone(&api_c)), args.take).await;
    report("(c) try_stream! with yield", &c, &api_c);

    println!("\nsame items all three ways: {}", a == b && b == c);
    ExitCode::SUCCESS
}

fn report(name: &str, items: &[u32], api: &Api) {
    let list: Vec<String> = items.iter().map(u32::to_string).collect();
    println!(
        "{name:<28} items {}  pages fetched: {}",
        list.join(" "),
        api.pages_fetched()
    );
}
