use ch04_parallel_prefix_sum::{input, sequential_scan};
use exercises::ch04::scan_in_two_halves;
use rayon::ThreadPoolBuilder;

const LENGTHS: [usize; 10] = [0, 1, 2, 3, 4, 5, 8, 1_001, 4_096, 100_003];

/// Both halves' scans plus one addition per element of the second half.
fn additions(len: usize) -> usize {
    let half = len.div_ceil(2);
    half.saturating_sub(1) + (len - half).saturating_sub(1) + (len - half)
}

#[test]
fn ch04_two_halves_give_the_running_total_in_every_pool() {
    for threads in [1, 2, 3] {
        let pool = ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a pool starts");
        for len in LENGTHS {
            // Large values, so that the sums wrap around the modulus.
            let mut data: Vec<u64> =
                input(len).iter().map(|v| v * 999_983 + 1).collect();
            let mut expected = data.clone();
            sequential_scan(&mut expected);
            let counted = pool.install(|| scan_in_two_halves(&mut data));
            if let Some(i) = (0..len).find(|&i| data[i] != expected[i]) {
                panic!(
                    "{len} elements, {threads} threads: element {i} is {}, \
                     not {}",
                    data[i], expected[i]
                );
            }
            assert_eq!(counted, additions(len), "additions for {len} elements");
        }
    }
}

#[test]
fn ch04_two_halves_do_about_half_as_many_additions_again() {
    let len = 100_000;
    let mut data = input(len);
    let sequential = sequential_scan(&mut input(len));
    let counted = scan_in_two_halves(&mut data);
    assert_eq!(counted, sequential + len / 2 - 1, "n/2 more than n - 1");
}
