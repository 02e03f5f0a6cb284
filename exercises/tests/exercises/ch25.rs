use exercises::ch25::matmul_bias_relu;
use gpu_reference::{matmul, matmul_inputs, saxpy_inputs};
use rayon::ThreadPoolBuilder;

/// Inputs like the chapter's: `a` and `b` in `[0, 1)`, `c` in `(-n/2, 0]`,
/// so that about half of `a·b + c` is negative and `relu` clamps it.
fn inputs(n: usize) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let (a, b) = matmul_inputs(n);
    let (_, unit) = saxpy_inputs(n * n);
    let c = unit.iter().map(|x| -x * n as f32 / 2.0).collect();
    (a, b, c)
}

#[test]
fn ch25_the_fused_pass_is_the_three_steps_bit_for_bit() {
    for threads in [1, 2, 3] {
        let pool = ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a pool starts");
        for n in [1, 2, 15, 16, 17, 40] {
            let (a, b, c) = inputs(n);
            let fused = pool.install(|| matmul_bias_relu(&a, &b, &c, n));
            assert_eq!(fused.len(), n * n, "{n} × {n}");
            // The unfused chain, one step at a time: the product, stored;
            // then each element plus its bias, clamped at zero.
            let product = matmul(&a, &b, n);
            for (i, &value) in fused.iter().enumerate() {
                let expected = (product[i] + c[i]).max(0.0);
                assert_eq!(
                    value.to_bits(),
                    expected.to_bits(),
                    "out[{}][{}] of {n} × {n}, {threads} threads",
                    i / n,
                    i % n
                );
            }
            if n >= 15 {
                let clamped = fused.iter().filter(|v| **v == 0.0).count();
                assert!(clamped > 0 && clamped < n * n, "relu had work");
            }
        }
    }
    assert!(matmul_bias_relu(&[], &[], &[], 0).is_empty());
}
