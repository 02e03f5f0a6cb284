use ch22_scan_and_sort::input;
use exercises::ch22::compact;
use rayon::ThreadPoolBuilder;

/// A predicate, and its name for the messages.
type Named = (&'static str, fn(u64) -> bool);

const PREDICATES: [Named; 5] = [
    ("even", |x| x % 2 == 0),
    ("multiples of 7", |x| x % 7 == 0),
    ("the upper half", |x| x >= 500_000),
    ("nothing", |_| false),
    ("everything", |_| true),
];

#[test]
fn ch22_compact_keeps_what_a_filter_keeps_in_order() {
    for threads in [1, 2, 4] {
        let pool = ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a pool starts");
        for len in [0, 1, 2, 100, 10_007] {
            let data = input(len);
            for (name, keep) in PREDICATES {
                let expected: Vec<u64> =
                    data.iter().copied().filter(|&x| keep(x)).collect();
                for parts in [0, 1, 2, 3, 7, 64, len + 5] {
                    assert_eq!(
                        pool.install(|| compact(&data, keep, parts)),
                        expected,
                        "{name} of {len} in {parts} parts, {threads} threads"
                    );
                }
            }
        }
    }
}

#[test]
fn ch22_compact_handles_blocks_that_keep_nothing() {
    // Only the first and the last of 1000 elements are kept: every block
    // in between contributes nothing, and the offsets must still be right.
    let data: Vec<u64> = (0..1000).collect();
    let ends = |x: u64| x == 0 || x == 999;
    for parts in [1, 2, 10, 999, 1000] {
        assert_eq!(compact(&data, ends, parts), vec![0, 999], "{parts} parts");
    }
}
