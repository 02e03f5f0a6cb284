use std::time::Duration;

use book_helpers::finishes_within;
use ch19_openmp_to_rayon::collatz_steps;
use exercises::ch19::longest_chain;
use rayon::ThreadPoolBuilder;

/// The answer by a plain loop: the most steps, then the smallest number.
fn expected(numbers: &[u64]) -> Option<(u64, u64)> {
    let mut best: Option<(u64, u64)> = None;
    for &n in numbers {
        let steps = collatz_steps(n);
        best = match best {
            Some((m, s)) if s > steps || (s == steps && m <= n) => best,
            _ => Some((n, steps)),
        };
    }
    best
}

/// Inputs where the longest chain is shared by many numbers: every number
/// up to `size` that needs at most `cap` steps, in three orders.
fn inputs_with_ties(size: u64, cap: u64) -> Vec<Vec<u64>> {
    let short_enough = |n: &u64| collatz_steps(*n) <= cap;
    let ascending: Vec<u64> = (1..=size).filter(short_enough).collect();
    let descending = ascending.iter().rev().copied().collect();
    // A fixed shuffle: sorted by a multiplicative hash of the number.
    let mut shuffled = ascending.clone();
    shuffled.sort_by_key(|&n| n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    vec![ascending, descending, shuffled]
}

#[test]
fn ch19_longest_chain_is_the_loops_answer_on_every_pool() {
    finishes_within(Duration::from_secs(60), || {
        for threads in [1, 2, 3, 4, 7] {
            let pool = ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a pool starts");
            for cap in [9, 40, 100, 1_000] {
                for numbers in inputs_with_ties(20_000, cap) {
                    assert_eq!(
                        pool.install(|| longest_chain(&numbers)),
                        expected(&numbers),
                        "{threads} threads, {} numbers of at most {cap} \
                         steps",
                        numbers.len()
                    );
                }
            }
        }
    });
}

#[test]
fn ch19_longest_chain_breaks_ties_and_handles_the_edges() {
    // 12 and 13 both take 9 steps; the smaller wins, in either order.
    assert_eq!(longest_chain(&[13, 12]), Some((12, 9)));
    assert_eq!(longest_chain(&[12, 13]), Some((12, 9)));
    // Below 10 the longest is 9, with 19 steps; 27 takes 111.
    let below_ten: Vec<u64> = (1..10).collect();
    assert_eq!(longest_chain(&below_ten), Some((9, 19)));
    assert_eq!(longest_chain(&[27]), Some((27, 111)));
    assert_eq!(longest_chain(&[1]), Some((1, 0)));
    assert_eq!(longest_chain(&[]), None);
}
