//! A paginated API and three producers that turn its pages into one stream of
//! items.
//!
//! The producer must `await` (fetch the next page) and `yield` (hand out one
//! item) in the same loop. Rust's stable async gives you the first and
//! `Iterator` the second; the three producers below are three ways of getting
//! both at once.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use futures::Stream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_stream::wrappers::ReceiverStream;

/// A fake remote API: `pages` pages of `per_page` numbered items, each fetch
/// taking `latency`, optionally failing at one page.
#[derive(Debug)]
pub struct Api {
    pub pages: u32,
    pub per_page: u32,
    pub latency: Duration,
    pub fail_at: Option<u32>,
    fetched: AtomicU32,
}

/// One page of results and the cursor of the next one, if there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub items: Vec<u32>,
    pub next: Option<u32>,
}

/// What a fetch can fail with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError(pub u32);

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "page {} could not be fetched", self.0)
    }
}

impl std::error::Error for FetchError {}

impl Api {
    pub fn new(
        pages: u32,
        per_page: u32,
        latency: Duration,
        fail_at: Option<u32>,
    ) -> Arc<Api> {
        Arc::new(Api {
            pages,
            per_page,
            latency,
            fail_at,
            fetched: AtomicU32::new(0),
        })
    }

    /// How many pages have been fetched so far: the cost of the producer's
    /// eagerness.
    pub fn pages_fetched(&self) -> u32 {
        // A count that publishes nothing else: `Relaxed` (chapter 7).
        self.fetched.load(Ordering::Relaxed)
    }

    /// Fetches the page at `cursor`, the way an HTTP client would.
    pub async fn fetch_page(&self, cursor: u32) -> Result<Page, FetchError> {
        tokio::time::sleep(self.latency).await;
        self.fetched.fetch_add(1, Ordering::Relaxed);
        if self.fail_at == Some(cursor) {
            return Err(FetchError(cursor));
        }
        let first = cursor * self.per_page;
        Ok(Page {
            items: (first..first + self.per_page).collect(),
            next: (cursor + 1 < self.pages).then_some(cursor + 1),
        })
    }
}

/// Every producer gives a stream of items or errors.
pub type Item = Result<u32, FetchError>;

// ANCHOR: with_channel
/// (a) A task fetches pages and pushes items into a bounded channel; the stream
/// is the receiving end. It works, but the producer runs on its own, ahead of
/// the consumer, and the task has to be owned and stopped by someone.
pub fn with_channel(
    api: Arc<Api>,
    buffer: usize,
) -> (ReceiverStream<Item>, JoinHandle<()>) {
    let (items, receiver) = mpsc::channel(buffer);
    let producer = tokio::spawn(async move {
        let mut cursor = Some(0);
        while let Some(at) = cursor {
            match api.fetch_page(at).await {
                Ok(page) => {
                    for item in page.items {
                        if items.send(Ok(item)).await.is_err() {
                            return; // The consumer is gone.
                        }
                    }
                    cursor = page.next;
                }
                Err(error) => {
                    let _ = items.send(Err(error)).await; // Gone or not, we are done.
                    return;
                }
            }
        }
    });
    (ReceiverStream::new(receiver), producer)
}
// ANCHOR_END: with_channel

// ANCHOR: by_hand
/// (b) The state machine written out: what the compiler would generate for us
/// if Rust had async generators.
pub struct Pages {
    api: Arc<Api>,
    state: State,
}

type Fetching = Pin<Box<dyn Future<Output = Result<Page, FetchError>> + Send>>;

enum State {
    /// Ready to fetch the page at this cursor.
    Start(u32),
    /// Waiting for a page to arrive.
    Fetching(Fetching),
    /// Handing out a page's items; then fetch `next`, or finish.
    Yielding(VecDeque<u32>, Option<u32>),
    Done,
}

impl Pages {
    pub fn new(api: Arc<Api>) -> Pages {
        Pages {
            api,
            state: State::Start(0),
        }
    }
}

impl Stream for Pages {
    type Item = Item;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Item>> {
        loop {
            let this = &mut *self;
            match &mut this.state {
                State::Start(cursor) => {
                    let (api, cursor) = (Arc::clone(&this.api), *cursor);
                    this.state = State::Fetching(Box::pin(async move {
                        api.fetch_page(cursor).await
                    }));
                }
                State::Fetching(fetch) => match fetch.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(page)) => {
                        this.state =
                            State::Yielding(page.items.into(), page.next);
                    }
                    Poll::Ready(Err(error)) => {
                        this.state = State::Done;
                        return Poll::Ready(Some(Err(error)));
                    }
                },
                State::Yielding(items, next) => match items.pop_front() {
                    Some(item) => return Poll::Ready(Some(Ok(item))),
                    None => {
                        this.state = match *next {
                            Some(cursor) => State::Start(cursor),
                            None => State::Done,
                        };
                    }
                },
                State::Done => return Poll::Ready(None),
            }
        }
    }
}
// ANCHOR_END: by_hand

// ANCHOR: with_yield
/// (c) `await` and `yield` in one body: the loop a person would write.
pub fn with_yield(api: Arc<Api>) -> impl Stream<Item = Item> {
    async_stream::try_stream! {
        let mut cursor = Some(0);
        while let Some(at) = cursor {
            let page = api.fetch_page(at).await?;
            for item in page.items {
                yield item;
            }
            cursor = page.next;
        }
    }
}
// ANCHOR_END: with_yield
