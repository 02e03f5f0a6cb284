//! Chapter 20's exercise, solved: the serial fraction a measurement implies.

// ANCHOR: serial_fraction
/// Amdahl's law solved for `s`: from `1 / S = s + (1 - s) / p`,
/// `s = (1 / S - 1 / p) / (1 - 1 / p)`, which is the Karp–Flatt metric.
pub fn serial_fraction(speedup: f64, threads: usize) -> Option<f64> {
    if threads < 2 {
        return None;
    }
    let p = threads as f64;
    Some((1.0 / speedup - 1.0 / p) / (1.0 - 1.0 / p))
}

/// Gustafson's law solved for `s`: from `S = s + (1 - s) p`,
/// `s = (p - S) / (p - 1)`.
pub fn scaled_serial_fraction(scaled: f64, threads: usize) -> Option<f64> {
    if threads < 2 {
        return None;
    }
    let p = threads as f64;
    Some((p - scaled) / (p - 1.0))
}
// ANCHOR_END: serial_fraction
