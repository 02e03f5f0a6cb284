use exercises::ch24::matmul_tiled;
use gpu_reference::{check_matmul, matmul, matmul_inputs};

fn bits(values: &[f32]) -> Vec<u32> {
    values.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn ch24_the_tiled_kernel_gives_the_triple_loops_product() {
    // Across the edges of the tiles, where a bounds check off by one shows.
    for n in [1, 2, 15, 16, 17, 31, 32, 33, 48, 50] {
        let (a, b) = matmul_inputs(n);
        let tiled = matmul_tiled(&a, &b, n);
        let expected = matmul(&a, &b, n);
        assert_eq!(tiled.len(), n * n, "{n} × {n}");
        if let Err(error) = check_matmul(&tiled, &expected, n) {
            panic!("{n} × {n}: {error}");
        }
        // The kernel adds the products in the reference's order, and the
        // zeros past the edges add nothing: the same bits.
        assert_eq!(bits(&tiled), bits(&expected), "{n} × {n}, bit for bit");
    }
    assert!(matmul_tiled(&[], &[], 0).is_empty());
}

#[test]
fn ch24_the_tiled_kernel_keeps_rows_and_columns_apart() {
    // A * I = A and I * A = A: a swapped index or a transposed tile shows.
    let n = 19;
    let (a, _) = matmul_inputs(n);
    let identity: Vec<f32> = (0..n * n)
        .map(|i| if i / n == i % n { 1.0 } else { 0.0 })
        .collect();
    assert_eq!(matmul_tiled(&a, &identity, n), a, "A · I");
    assert_eq!(matmul_tiled(&identity, &a, n), a, "I · A");
}
