//! Chapter 20's exercise: the serial fraction a measurement implies.
//!
//! Write `serial_fraction` and `scaled_serial_fraction`: Amdahl's and
//! Gustafson's laws solved for `s`, so that a measured speedup tells you how
//! large a serial part would explain it. Check it with
//! `cargo exercise ch20`.

/// The serial fraction `s` for which Amdahl's law predicts `speedup` on
/// `threads` threads (the Karp–Flatt metric). `None` for fewer than two
/// threads, where every `s` predicts the same.
pub fn serial_fraction(speedup: f64, threads: usize) -> Option<f64> {
    // Your code here: solve `speedup = 1 / (s + (1 - s) / p)` for `s`.
    todo!()
}

/// The serial fraction `s` for which Gustafson's law predicts the scaled
/// speedup `scaled` on `threads` threads. `None` for fewer than two threads.
pub fn scaled_serial_fraction(scaled: f64, threads: usize) -> Option<f64> {
    // Your code here: solve `scaled = s + (1 - s) p` for `s`.
    todo!()
}
