//! A merge sort whose two halves are *allowed* to run at the same time.
//!
//! `rayon::join(a, b)` says that `a` and `b` are independent; whether they
//! then run on two threads or one after the other is decided by the pool
//! the call runs in. The program's structure is fixed, its execution is not.

use timeline::Recorder;

/// How many times the sort splits before it sorts a piece directly:
/// 2^4 = 16 pieces, enough to keep a few cores busy.
pub const SPLITS: u32 = 4;

/// Pieces sorted directly, plus merges: the same for any number of threads.
pub const TASKS: usize = (1 << SPLITS) + (1 << SPLITS) - 1;

// ANCHOR: sort
/// Sorts `data`, using `scratch` (same length) for merging. `in_parallel`
/// chooses between `rayon::join` and calling the two halves in turn.
pub fn merge_sort(
    data: &mut [u32],
    scratch: &mut [u32],
    in_parallel: bool,
    recorder: &Recorder,
) {
    let sorter = Sorter {
        in_parallel,
        recorder,
    };
    sorter.sort(data, scratch, SPLITS, 0);
}

struct Sorter<'r> {
    in_parallel: bool,
    recorder: &'r Recorder,
}

impl Sorter<'_> {
    /// Sorts pieces `first..first + 2^splits` of the whole array.
    fn sort(
        &self,
        data: &mut [u32],
        scratch: &mut [u32],
        splits: u32,
        first: usize,
    ) {
        if splits == 0 {
            let name = format!("sort {first}");
            return self.recorder.span(name, || data.sort_unstable());
        }
        let middle = data.len() / 2;
        let (left, right) = data.split_at_mut(middle);
        let (left_scratch, right_scratch) = scratch.split_at_mut(middle);
        let second = first + (1 << (splits - 1));
        let left_half = || self.sort(left, left_scratch, splits - 1, first);
        let right_half = || self.sort(right, right_scratch, splits - 1, second);
        if self.in_parallel {
            rayon::join(left_half, right_half); // may run at the same time
        } else {
            in_turn(left_half, right_half); // one after the other
        }
        let last = second + (1 << (splits - 1)) - 1;
        let name = format!("merge {first}-{last}");
        self.recorder.span(name, || merge(data, scratch, middle));
    }
}

/// `rayon::join` without the permission to run at the same time.
fn in_turn<A, B>(a: impl FnOnce() -> A, b: impl FnOnce() -> B) -> (A, B) {
    (a(), b())
}
// ANCHOR_END: sort

/// Merges the sorted halves `data[..middle]` and `data[middle..]`.
fn merge(data: &mut [u32], scratch: &mut [u32], middle: usize) {
    let (mut i, mut j) = (0, middle);
    for slot in scratch.iter_mut() {
        if j == data.len() || (i < middle && data[i] <= data[j]) {
            *slot = data[i];
            i += 1;
        } else {
            *slot = data[j];
            j += 1;
        }
    }
    data.copy_from_slice(scratch);
}

/// `len` pseudo-random numbers, the same every run.
pub fn shuffled(len: usize) -> Vec<u32> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u32
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_numbers_are_marsaglias_xorshift64() {
        // The high halves of the first three states of xorshift64 (shifts 13,
        // 7, 17) from the seed 0x2545F4914F6CDD1D, computed apart from this
        // code.
        assert_eq!(shuffled(3), [2_137_794_571, 3_832_617_351, 890_718_785]);
    }

    #[test]
    fn merging_interleaves_two_sorted_halves() {
        let mut data = [1, 4, 9, 2, 3, 10];
        let mut scratch = [0; 6];
        merge(&mut data, &mut scratch, 3);
        assert_eq!(data, [1, 2, 3, 4, 9, 10]);
    }

    #[test]
    fn tasks_counts_pieces_and_merges() {
        assert_eq!(TASKS, 31);
    }
}
