use ch21_roofline::{Arrays, Stream};
use exercises::ch21::{fused_bytes_per_element, stream_fused};
use rayon::ThreadPoolBuilder;

/// The arrays after `rounds` rounds of the four kernels, one pass each.
fn four_passes(len: usize, rounds: usize) -> Arrays {
    let mut arrays = Arrays::new(len);
    for _ in 0..rounds {
        for kernel in Stream::ALL {
            kernel.run(&mut arrays);
        }
    }
    arrays
}

fn bits(values: &[f64]) -> Vec<u64> {
    values.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn ch21_one_pass_leaves_what_four_passes_leave() {
    for threads in [1, 2, 3] {
        let pool = ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a pool starts");
        for len in [0, 1, 7, 1000, 100_003] {
            for rounds in [1, 3] {
                let expected = four_passes(len, rounds);
                let mut fused = Arrays::new(len);
                for _ in 0..rounds {
                    pool.install(|| stream_fused(&mut fused));
                }
                let which = format!("{len} elements, {rounds} rounds");
                assert_eq!(bits(&fused.a), bits(&expected.a), "a, {which}");
                assert_eq!(bits(&fused.b), bits(&expected.b), "b, {which}");
                assert_eq!(bits(&fused.c), bits(&expected.c), "c, {which}");
            }
        }
    }
}

#[test]
fn ch21_one_pass_moves_fewer_bytes() {
    let separate: f64 = Stream::ALL.iter().map(|k| k.bytes_per_element()).sum();
    assert_eq!(
        separate, 80.0,
        "the four passes, as the listing counts them"
    );
    assert_eq!(
        fused_bytes_per_element(),
        32.0,
        "one read and three writes of an 8-byte f64"
    );
}
