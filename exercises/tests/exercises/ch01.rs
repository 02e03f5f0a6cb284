use ch01_counting_primes::count_primes_sequentially;
use exercises::ch01::{contiguous_shares, count_primes_in_shares};

const LIMITS: [u64; 7] = [0, 1, 2, 3, 97, 10_000, 30_011];
const THREADS: [usize; 7] = [0, 1, 2, 3, 4, 7, 64];

#[test]
fn ch01_shares_cut_every_number_once_and_evenly() {
    for limit in LIMITS {
        for threads in THREADS {
            let shares = contiguous_shares(limit, threads);
            let case = format!("{limit} numbers, {threads} threads");
            assert_eq!(shares.len(), threads.max(1), "one share each: {case}");
            let mut next = 0;
            for share in &shares {
                assert_eq!(share.start, next, "consecutive shares: {case}");
                assert!(share.start <= share.end, "{share:?}: {case}");
                next = share.end;
            }
            assert_eq!(next, limit, "the shares reach the limit: {case}");
            let lengths = shares.iter().map(|share| share.end - share.start);
            let longest = lengths.clone().max().unwrap_or(0);
            let shortest = lengths.min().unwrap_or(0);
            assert!(
                longest - shortest <= 1,
                "lengths {shortest}..={longest} differ by more than one: {case}"
            );
        }
    }
}

#[test]
fn ch01_shares_count_what_the_plain_loop_counts() {
    for limit in LIMITS {
        let expected = count_primes_sequentially(limit);
        for threads in THREADS {
            assert_eq!(
                count_primes_in_shares(limit, threads),
                expected,
                "primes below {limit} on {threads} threads"
            );
        }
    }
}
