//! Chapter 17's exercise, solved: reading a user namespace's id map.

// ANCHOR: id_map
/// The ranges of a map: (first inside, first outside, how many). A range
/// can reach past `u32::MAX` (`0 0 4294967295` maps every id there is), so
/// the arithmetic is done in `u64`.
fn ranges(uid_map: &str) -> impl Iterator<Item = (u64, u64, u64)> + '_ {
    uid_map.lines().filter_map(|line| {
        let mut numbers = line.split_whitespace().map(str::parse::<u64>);
        match (numbers.next(), numbers.next(), numbers.next()) {
            (Some(Ok(inside)), Some(Ok(outside)), Some(Ok(count))) => {
                Some((inside, outside, count))
            }
            _ => None,
        }
    })
}

/// Finds the range whose `from` side holds `id`; the id keeps its offset
/// from the start of that side on the `to` side.
fn translate(
    ranges: impl Iterator<Item = (u64, u64, u64)>,
    id: u32,
) -> Option<u32> {
    let id = u64::from(id);
    ranges
        .filter(|&(from_first, _, count)| {
            from_first <= id && id < from_first + count
        })
        .find_map(|(from_first, to_first, _)| {
            u32::try_from(to_first + (id - from_first)).ok()
        })
}

/// Outside to inside: the ranges read from the second column to the first.
pub fn inside_id(uid_map: &str, outside: u32) -> Option<u32> {
    let swapped = ranges(uid_map).map(|(inn, out, count)| (out, inn, count));
    translate(swapped, outside)
}

/// Inside to outside: the ranges read from the first column to the second.
pub fn outside_id(uid_map: &str, inside: u32) -> Option<u32> {
    translate(ranges(uid_map), inside)
}
// ANCHOR_END: id_map
