//! Chapter 32's exercise: one more model, a shared cursor over the blocks.
//!
//! Write `shared_cursor`: scoped threads that take blocks on demand, each
//! claiming the next unclaimed block from one `AtomicUsize`, keeping a count
//! of its own, and handing it back through `join`. Check it with
//! `cargo exercise ch32`.

/// Counts the primes below `limit` with `threads` (at least 1) scoped
/// threads that each claim the next unclaimed block of
/// `ch32_one_problem_every_model::blocks(limit)` from a shared atomic index
/// until none is left, and count it with `count_primes_in`.
pub fn shared_cursor(limit: u64, threads: usize) -> u64 {
    // Your code here: the scoped threads of `scoped_threads`, with the blocks
    // handed out on demand as the channel pipeline does, without a channel.
    todo!()
}
