use ch23_simd::inputs;
use exercises::ch23::distance_squared_wide;

/// The plain loop. On the listing's inputs every difference, square and
/// partial sum is exact in `f32`, so any order of addition gives this.
fn distance_squared(x: &[f32], y: &[f32]) -> f32 {
    x.iter().zip(y).map(|(x, y)| (x - y) * (x - y)).sum()
}

#[test]
fn ch23_eight_lanes_give_the_plain_loops_answer() {
    // Every tail after the last full vector, several times over, and more.
    let lengths = (0..=40).chain([1_000, 4_099, 100_003]);
    for len in lengths {
        let (x, y) = inputs(len);
        assert_eq!(
            distance_squared_wide(&x, &y),
            distance_squared(&x, &y),
            "{len} elements"
        );
    }
}

#[test]
fn ch23_eight_lanes_stop_at_the_shorter_vector() {
    let (x, y) = inputs(37);
    let expected = distance_squared(&x[..21], &y[..21]);
    assert_eq!(distance_squared_wide(&x[..21], &y), expected);
    assert_eq!(distance_squared_wide(&x, &y[..21]), expected);
    assert_eq!(distance_squared_wide(&[], &y), 0.0);
    // Known values: (3 - 0)² + (0 - 4)² = 25, in the tail and in lanes.
    assert_eq!(distance_squared_wide(&[3.0, 0.0], &[0.0, 4.0]), 25.0);
    let (mut x, y) = (vec![0.0; 16], vec![0.0; 16]);
    x[3] = 3.0;
    x[12] = 4.0;
    assert_eq!(distance_squared_wide(&x, &y), 25.0);
}
