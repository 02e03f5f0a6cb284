//! Chapter 14's exercise: the paginated producer a fourth way.
//!
//! Write `with_unfold`: the producer of `ch14_paginated_producer::with_yield`
//! built with `futures::stream::unfold`, whose closure returns an async block
//! that may `.await` the next page. Check it with `cargo exercise ch14`.

use std::sync::Arc;

use ch14_paginated_producer::{Api, Item};
use futures::Stream;

/// Every item of every page of `api`, in order, fetching a page only when
/// the consumer asks for an item that is not yet fetched. A failed fetch
/// ends the stream with its error as the last item.
pub fn with_unfold(api: Arc<Api>) -> impl Stream<Item = Item> {
    // Your code here: `futures::stream::unfold(state, |state| async move {
    // ... })`, where the state says which page comes next and holds the
    // items of the current page still to hand out. (The line below only
    // makes the starter compile.)
    futures::stream::once(async { todo!() })
}
