//! Chapter 16's exercise: a consumer that does not know the count.
//!
//! Write `receive_all`: take values from a `ch16_shared_memory_ring` ring
//! until the producer has closed it, without losing one pushed just before
//! the close. Check it with `cargo exercise ch16`.

/// Every value the producer pushes, in order; returns once the producer has
/// closed the ring and every value pushed before the close has been taken.
/// While the ring is empty and open, it waits (spinning with
/// `std::hint::spin_loop`, or yielding with `std::thread::yield_now`).
///
/// `try_pop` and `is_closed` are the ring's two operations for its
/// consumer, `|| consumer.try_pop()` and `|| ring.is_closed()` for a
/// `ch16_shared_memory_ring::ring::Ring` (passed as closures so that the
/// check can choose the moment the producer closes).
pub fn receive_all(
    try_pop: impl FnMut() -> Option<u64>,
    is_closed: impl FnMut() -> bool,
) -> Vec<u64> {
    // Your code here.
    todo!()
}
