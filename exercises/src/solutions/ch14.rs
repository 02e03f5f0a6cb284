//! Chapter 14's exercise, solved: the paginated producer a fourth way.

use std::collections::VecDeque;
use std::sync::Arc;

use ch14_paginated_producer::{Api, Item};
use futures::{Stream, stream};

// ANCHOR: unfold
/// What survives from one item to the next: the page to fetch when the
/// current one runs out (`None` after the last), and the current page's
/// items still to hand out.
struct Cursor {
    api: Arc<Api>,
    next: Option<u32>,
    items: VecDeque<u32>,
}

/// The loop of `with_yield`, cut at each `yield`: every call of the closure
/// runs from one item to the next, awaiting a page when it must.
pub fn with_unfold(api: Arc<Api>) -> impl Stream<Item = Item> {
    let start = Cursor {
        api,
        next: Some(0),
        items: VecDeque::new(),
    };
    stream::unfold(start, |mut cursor| async move {
        loop {
            if let Some(item) = cursor.items.pop_front() {
                return Some((Ok(item), cursor));
            }
            // `?` ends the stream: no page after the last one.
            let at = cursor.next?;
            match cursor.api.fetch_page(at).await {
                Ok(page) => {
                    cursor.items = page.items.into();
                    cursor.next = page.next;
                }
                Err(error) => {
                    cursor.next = None; // nothing after an error
                    return Some((Err(error), cursor));
                }
            }
        }
    })
}
// ANCHOR_END: unfold
