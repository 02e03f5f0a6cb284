//! Chapter 27's exercise: the consumer's loop, without the broker.
//!
//! Write `consume`: read `log` from the offset in `stored`, process each
//! record, store the next offset every `commit_every` records and at the end,
//! so that a consumer killed at any point and started again loses nothing.
//! Check it with `cargo exercise ch27`.

/// One run of a consumer over `log`, one partition whose record at offset `i`
/// is `log[i]`. It starts at the offset in `stored` (the offset file),
/// processes each record by calling `process` with it (the side effect the
/// outside world sees), and stores the next offset in `stored` after every
/// `commit_every` records and when it reaches the end of the log.
///
/// With `kill_after: Some(n)` the run stops as if killed right after
/// processing its `n`th record, before it can store anything more (with
/// `Some(0)`, before it processes anything); `None` runs to the end.
pub fn consume(
    log: &[u64],
    stored: &mut usize,
    process: impl FnMut(u64),
    commit_every: usize,
    kill_after: Option<usize>,
) {
    // Your code here: `ch27_consumer_restart::consume` without the broker.
    todo!()
}
