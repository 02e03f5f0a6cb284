//! Prefix sums: every element replaced by the sum of itself and everything
//! before it. Sequentially that is one pass and one addition per element;
//! each step needs the one before, so the loop cannot simply be split. The
//! parallel version restructures it, and pays with extra additions.
//!
//! The sums are taken modulo a prime, as checksums do, so they never overflow
//! however long the array. The additions do not all cost the same: in the
//! running totals each one waits for the one before (an add and a `%` in a
//! chain), while those that add the offsets are independent, and the
//! processor overlaps them.

use std::thread;

use timeline::Recorder;

/// Sums are taken modulo this prime.
pub const MODULUS: u64 = 1_000_000_007;

// ANCHOR: sequential
/// The running total, one element after another: `n - 1` additions.
pub fn sequential_scan(data: &mut [u64]) -> usize {
    for i in 1..data.len() {
        data[i] = (data[i] + data[i - 1]) % MODULUS;
    }
    data.len().saturating_sub(1)
}
// ANCHOR_END: sequential

/// How the blocked scan runs its parallel phases: on threads, or one piece
/// after another on the calling thread (the same work, no parallelism).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Execution {
    OneThread,
    Threads,
}

/// Runs each piece as its own span: on a thread each, or in turn.
fn for_each_piece<T: Send>(
    execution: Execution,
    recorder: &Recorder,
    pieces: Vec<(String, T)>,
    work: impl Fn(T) -> usize + Sync,
) -> usize {
    match execution {
        Execution::OneThread => pieces
            .into_iter()
            .map(|(name, piece)| recorder.span(name, || work(piece)))
            .sum(),
        Execution::Threads => thread::scope(|scope| {
            let running: Vec<_> = pieces
                .into_iter()
                .enumerate()
                .map(|(index, (name, piece))| {
                    let work = &work;
                    thread::Builder::new()
                        .name(format!("worker {}", index + 1))
                        .spawn_scoped(scope, move || {
                            recorder.span(name, || work(piece))
                        })
                        .expect("the system can start a thread")
                })
                .collect();
            running
                .into_iter()
                .map(|t| t.join().expect("a worker panicked"))
                .sum()
        }),
    }
}

// ANCHOR: blocked
/// The blocked scan, in three phases, over `parts` equal parts:
///
/// 1. every part computes its own running total, independently;
/// 2. the last value of each part gives the offset of every later part;
/// 3. every element after the first part gets its part's offset added, with
///    that work cut into `parts` equal pieces so no worker idles.
///
/// Returns the number of additions, about `2n - n/parts`: twice the
/// sequential scan's `n - 1` when there are many parts.
pub fn blocked_scan(
    data: &mut [u64],
    parts: usize,
    execution: Execution,
    recorder: &Recorder,
) -> usize {
    let part_len = data.len().div_ceil(parts.max(1)).max(1);
    let mut additions = 0;

    // Phase 1: independent running totals.
    let pieces = data
        .chunks_mut(part_len)
        .enumerate()
        .map(|(k, part)| (format!("scan {}", k + 1), part))
        .collect();
    additions += for_each_piece(execution, recorder, pieces, sequential_scan);

    // Phase 2: the offset of each part is the total of all parts before it,
    // which is the sum of their last values.
    let offsets: Vec<u64> = recorder.span("offsets", || {
        let mut offsets = Vec::new();
        let mut carry = 0;
        for part in data.chunks(part_len) {
            offsets.push(carry);
            carry = (carry + part[part.len() - 1]) % MODULUS;
            additions += 1;
        }
        offsets
    });

    // Phase 3: add the offsets, in equal pieces across the workers.
    let rest = data.get_mut(part_len..).unwrap_or_default();
    let piece_len = rest.len().div_ceil(parts.max(1)).max(1);
    let pieces = rest
        .chunks_mut(piece_len)
        .enumerate()
        .map(|(j, piece)| {
            let start = part_len + j * piece_len; // index of its first element
            (format!("add {}", j + 1), (start, piece))
        })
        .collect();
    additions +=
        for_each_piece(execution, recorder, pieces, |(start, piece)| {
            add_offsets(piece, start, part_len, &offsets)
        });
    additions
}
// ANCHOR_END: blocked

/// Adds to each element of `piece` (which starts at index `start` of the
/// whole array) the offset of the part it lies in.
fn add_offsets(
    piece: &mut [u64],
    start: usize,
    part_len: usize,
    offsets: &[u64],
) -> usize {
    let additions = piece.len();
    let mut index = start;
    let mut rest = piece;
    while !rest.is_empty() {
        let part = index / part_len;
        let in_this_part = ((part + 1) * part_len - index).min(rest.len());
        let (here, later) = rest.split_at_mut(in_this_part);
        for value in here.iter_mut() {
            *value = (*value + offsets[part]) % MODULUS;
        }
        index += in_this_part;
        rest = later;
    }
    additions
}

/// Test input: small values, so the sums of even large arrays fit in a u64.
pub fn input(len: usize) -> Vec<u64> {
    (0..len as u64).map(|i| i * 7 % 1_000).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequential_scan_is_a_running_total() {
        let mut data = [3, 1, 4, 1, 5];
        assert_eq!(sequential_scan(&mut data), 4);
        assert_eq!(data, [3, 4, 8, 9, 14]);
        assert_eq!(sequential_scan(&mut []), 0);
    }

    #[test]
    fn offsets_are_added_across_part_boundaries() {
        // parts of 2: offsets 0, 10, 20; the piece covers indices 1..5
        let mut piece = [0; 4];
        assert_eq!(add_offsets(&mut piece, 1, 2, &[0, 10, 20]), 4);
        assert_eq!(piece, [0, 10, 10, 20]);
    }

    #[test]
    fn the_input_steps_by_seven_through_every_value_below_a_thousand() {
        assert_eq!(input(4), [0, 7, 14, 21]);
        // 7 and 1000 share no factor, so a thousand steps meet every value
        // below 1000 once: small, and all different.
        let mut values = input(1_000);
        values.sort_unstable();
        assert!(values.iter().copied().eq(0..1_000));
    }
}
