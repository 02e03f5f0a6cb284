//! Chapter 23's exercise, solved: another loop in eight lanes.

use wide::f32x8;

use ch23_simd::LANES;

// ANCHOR: distance
/// `dot_wide` with a subtraction before the multiply: eight running sums of
/// squared differences in one vector value, added together at the end, plus
/// the tail that does not fill a vector.
pub fn distance_squared_wide(x: &[f32], y: &[f32]) -> f32 {
    let len = x.len().min(y.len());
    let (xs, ys) = (x[..len].chunks_exact(LANES), y[..len].chunks_exact(LANES));
    let tail: f32 = xs
        .remainder()
        .iter()
        .zip(ys.remainder())
        .map(|(x, y)| (x - y) * (x - y))
        .sum();
    let mut sums = f32x8::ZERO;
    for (x, y) in xs.zip(ys) {
        let x = f32x8::from(<[f32; LANES]>::try_from(x).expect("8 lanes"));
        let y = f32x8::from(<[f32; LANES]>::try_from(y).expect("8 lanes"));
        let difference = x - y;
        sums += difference * difference;
    }
    sums.reduce_add() + tail
}
// ANCHOR_END: distance
