//! A job with a serial part and a parallel part, the two scaling laws that
//! predict its speedup, and a plot of measurements against both.

use rayon::ThreadPool;
use rayon::prelude::*;

pub mod plot;

/// One unit of work: 20,000 rounds of a xorshift generator. It touches no
/// memory, so threads never compete for anything but cores.
pub fn unit(seed: u64) -> u64 {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for _ in 0..UNIT_ROUNDS {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

/// Rounds per unit. Each round is three dependent shift-and-xor pairs, at
/// least 6 cycles, so a unit is at least 120,000 cycles; the listing
/// measures and prints what one costs.
pub const UNIT_ROUNDS: u32 = 20_000;

// ANCHOR: job
/// A job of `serial` units that must run one after another, then
/// `parallel` units that may run on any thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    pub serial: usize,
    pub parallel: usize,
}

impl Job {
    /// Strong scaling: the same job whatever the number of threads.
    pub fn strong(size: usize, serial_fraction: f64) -> Job {
        let serial = (size as f64 * serial_fraction).round() as usize;
        Job {
            serial,
            parallel: size - serial,
        }
    }

    /// Weak scaling: the serial part stays, the parallel part grows with
    /// the threads, as when more cores are used for a bigger problem.
    pub fn weak(size: usize, serial_fraction: f64, threads: usize) -> Job {
        let strong = Job::strong(size, serial_fraction);
        Job {
            serial: strong.serial,
            parallel: strong.parallel * threads,
        }
    }

    /// Runs the serial part on the calling thread, then the parallel part
    /// in `pool`; returns a checksum of every unit's result.
    pub fn run(&self, pool: &ThreadPool) -> u64 {
        let serial = (0..self.serial).map(|i| unit(i as u64));
        let before = serial.fold(0, u64::wrapping_add);
        let range = self.serial..self.serial + self.parallel;
        let after = pool.install(|| {
            range
                .into_par_iter()
                .map(|i| unit(i as u64))
                .reduce(|| 0, u64::wrapping_add)
        });
        before.wrapping_add(after)
    }
}
// ANCHOR_END: job

// ANCHOR: laws
/// Amdahl: a fixed job with serial fraction `s` on `p` threads can go at
/// most `1 / (s + (1 - s) / p)` times faster; never more than `1 / s`.
pub fn amdahl(s: f64, p: f64) -> f64 {
    1.0 / (s + (1.0 - s) / p)
}

/// Gustafson: if the parallel part grows with `p` while the serial part
/// stays, `p` threads do `s + (1 - s) p` times the work in the same time.
pub fn gustafson(s: f64, p: f64) -> f64 {
    s + (1.0 - s) * p
}
// ANCHOR_END: laws

/// The machine a measurement was taken on, as the plots name it: the CPU
/// model from `/proc/cpuinfo` (where there is one) and the core count.
pub fn machine(cores: usize) -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .and_then(|rest| rest.split(':').nth(1))
        .map(str::trim)
        .unwrap_or(std::env::consts::ARCH);
    format!("{model}, {cores} cores")
}

/// One measured row: threads, the speedup measured and the law's prediction.
#[derive(Debug, Clone, Copy)]
pub struct Point {
    pub threads: usize,
    pub speedup: f64,
}
