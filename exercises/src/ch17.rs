//! Chapter 17's exercise: reading a user namespace's id map.
//!
//! Write `inside_id` and `outside_id`: translate a user id through a
//! `uid_map` like the one the warden of `ch17-namespace-jail` writes, in both
//! directions. Check it with `cargo exercise ch17`.

/// The id that `outside` (a user id of the parent namespace) has inside the
/// namespace whose `uid_map` this is, or `None` if the map does not cover it.
///
/// `uid_map` is as the kernel shows it in `/proc/PID/uid_map`: one range per
/// line, three numbers separated by any amount of blank space — the first
/// id inside, the first id outside, and how many ids the range maps.
pub fn inside_id(uid_map: &str, outside: u32) -> Option<u32> {
    // Your code here.
    todo!()
}

/// The id that `inside` (a user id of the namespace) has in the parent
/// namespace, or `None` if the map does not cover it.
pub fn outside_id(uid_map: &str, inside: u32) -> Option<u32> {
    // Your code here.
    todo!()
}
