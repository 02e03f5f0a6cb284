//! What every backend (OpenCL, WGSL, GLSL, CUDA, and the CPU itself) offers, so
//! one program can run any problem on any of them and print the results side by
//! side.

use std::fmt;
use std::hint::black_box;

use book_helpers::measure::{Summary, last_level_cache_bytes, repeated};

/// How many times a copy bandwidth is measured, its median kept: a copy is the
/// yardstick for every streaming kernel, so it gets more rounds than a kernel
/// does, and a few unlucky rounds on a busy machine cannot move the yardstick.
pub const COPY_RUNS: usize = 20;

/// The chapter's problems, as `--problem` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Saxpy,
    Sum,
    Scan,
    Matmul,
}

impl Problem {
    pub const ALL: [Problem; 4] =
        [Problem::Saxpy, Problem::Sum, Problem::Scan, Problem::Matmul];

    pub fn name(self) -> &'static str {
        match self {
            Problem::Saxpy => "saxpy",
            Problem::Sum => "sum",
            Problem::Scan => "scan",
            Problem::Matmul => "matmul",
        }
    }

    /// The size to run this problem at: the side of the matrices for the matrix
    /// product, the number of elements for the others.
    pub fn size(self, elements: usize, side: usize) -> usize {
        if self == Problem::Matmul {
            side
        } else {
            elements
        }
    }

    /// Values in the problem's largest array at `size`: a matrix's side
    /// squared for the matrix product, the vector's length for the others.
    /// Backends check it against what the device can allocate.
    pub fn largest_array(self, size: usize) -> usize {
        if self == Problem::Matmul {
            size.saturating_mul(size)
        } else {
            size
        }
    }

    /// The size a run of this problem is about: `n = 1000`, or `256 x 256` for
    /// a matrix.
    pub fn size_label(self, size: usize) -> String {
        match self {
            Problem::Matmul => format!("{size} x {size}"),
            _ => format!("n = {size}"),
        }
    }

    /// What one run of the problem does on a device, for a rate: bytes the
    /// kernels must move through memory (the streaming problems) or
    /// floating-point operations (the matrix product).
    pub fn work(self, size: usize) -> Work {
        let word = size_of::<u32>();
        match self {
            Problem::Saxpy => Work::Bytes(crate::saxpy_bytes(size)),
            Problem::Sum => Work::Bytes(size * word),
            // The device's two kernels: read the input and write the output,
            // then read and write the output again to add offsets.
            Problem::Scan => Work::Bytes(4 * size * word),
            Problem::Matmul => Work::Flops(crate::matmul_flops(size)),
        }
    }

    /// The same for the CPU reference, which scans in one pass: it reads the
    /// input and writes the output once, half the device's traffic.
    pub fn work_on_the_cpu(self, size: usize) -> Work {
        match self {
            Problem::Scan => Work::Bytes(2 * size * size_of::<u32>()),
            other => other.work(size),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a run's time bought.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Work {
    Bytes(usize),
    Flops(f64),
}

/// One problem run on one backend, already checked against the CPU reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub problem: Problem,
    pub size: usize,
    /// What the timed code moved or computed: `problem.work(size)` on a
    /// device, the one-pass count on the CPU.
    pub work: Work,
    /// What the check found, as a reader wants it: `matches the CPU (...)`.
    pub agreement: String,
    /// What was timed: `kernel`, `kernels`, `dispatch`, `loop`.
    pub timed: &'static str,
    /// A few runs of the kernels alone, inputs already on the device: the
    /// median and the spread.
    pub time: Summary,
}

impl Measured {
    /// A device's matrix product `c`, checked against the CPU's product of `a`
    /// and `b` (both `side` x `side`), with what was timed and its time.
    pub fn checked_matmul(
        c: &[f32],
        a: &[f32],
        b: &[f32],
        side: usize,
        timed: &'static str,
        time: Summary,
    ) -> Result<Self, String> {
        let error = crate::check_matmul(c, &crate::matmul(a, b, side), side)?;
        Ok(Self {
            problem: Problem::Matmul,
            size: side,
            work: Problem::Matmul.work(side),
            agreement: format!(
                "matches the CPU (largest relative error {error:.1e})"
            ),
            timed,
            time,
        })
    }

    /// The rate the time stands for: bandwidth against the device's own copy
    /// bandwidth (`copy`, bytes per second) for the streaming problems,
    /// GFLOP/s for the matrix product.
    pub fn rate(&self, copy: f64) -> String {
        let seconds = self.time.median().as_secs_f64();
        match self.work {
            Work::Bytes(bytes) => {
                crate::format_against_copy(bytes, seconds, copy)
            }
            Work::Flops(flops) => crate::format_gflops(flops, seconds),
        }
    }

    /// One line: `saxpy n = 1000: matches the CPU (...); kernel 1.20 ms (1.15
    /// ms – 1.31 ms): 10.0 GB/s, 25% of copy`, the rate from the median.
    pub fn line(&self, copy: f64) -> String {
        format!(
            "{} {}: {}; {} {}: {}",
            self.problem,
            self.problem.size_label(self.size),
            self.agreement,
            self.timed,
            self.time.display(),
            self.rate(copy)
        )
    }
}

/// A place to run the chapter's problems: a GPU, an emulated one, or the CPU.
pub trait Backend {
    /// Which device this is, with its driver: printed before any result.
    fn describe(&self) -> String;

    /// True for a GPU emulated on the CPU (PoCL, lavapipe): its figures say
    /// nothing about a GPU. The CPU reference is no emulation (its figures are
    /// the CPU's own), and says false.
    fn emulated(&self) -> bool;

    /// The device's last-level cache in bytes, where the driver says (CUDA's
    /// L2, OpenCL's global memory cache): a streaming figure is a memory
    /// figure only when its arrays are several times larger.
    fn cache_bytes(&self) -> Option<usize> {
        None
    }

    /// The device copying one buffer of `n` words into another, in bytes moved
    /// (read plus written) per second: the limit for a kernel that only
    /// streams memory.
    fn copy_bandwidth(&self, n: usize) -> Result<f64, String>;

    /// Whether `problem` at `size` fits this device (its memory, its largest
    /// dispatch); `run` checks the same, this asks without running.
    fn fits(&self, _problem: Problem, _size: usize) -> Result<(), String> {
        Ok(())
    }

    /// Runs `problem` at `size` (elements, or the side of the matrices), checks
    /// the result against the CPU reference and times it. A size the device
    /// cannot hold is an error that says so, found before any work.
    fn run(&self, problem: Problem, size: usize) -> Result<Measured, String>;

    /// The kernel that goes further toward the device's limit, where this
    /// backend has one for `problem`: the one-pass sum (warp shuffles in
    /// CUDA), the register-blocked matrix multiply. Checked and timed like
    /// `run`; `None` where there is no such kernel.
    fn run_tuned(
        &self,
        _problem: Problem,
        _size: usize,
    ) -> Option<Result<Measured, String>> {
        None
    }

    /// Draws `view`: every pixel's iteration count, and three runs of the
    /// kernel. The caller compares the picture with the CPU's (see
    /// [`crate::check_mandelbrot`]).
    fn mandelbrot(
        &self,
        view: &crate::View,
    ) -> Result<(Vec<u32>, Summary), String>;
}

/// The CPU running the reference itself, on one thread: the baseline every
/// device is compared with.
#[derive(Debug, Default, Clone, Copy)]
pub struct Cpu;

impl Backend for Cpu {
    fn describe(&self) -> String {
        "the CPU reference, one thread (plain Rust loops)".to_string()
    }

    fn emulated(&self) -> bool {
        false
    }

    fn cache_bytes(&self) -> Option<usize> {
        last_level_cache_bytes().and_then(|bytes| usize::try_from(bytes).ok())
    }

    fn copy_bandwidth(&self, n: usize) -> Result<f64, String> {
        let from = vec![1u32; n];
        let mut to = vec![0u32; n];
        let ((), time) = repeated(COPY_RUNS, || {
            black_box(&mut to).copy_from_slice(black_box(&from))
        });
        Ok(copy_rate(n, time.median()))
    }

    fn run(&self, problem: Problem, size: usize) -> Result<Measured, String> {
        let runs = if problem == Problem::Matmul { 3 } else { 5 };
        let time = match problem {
            // The result goes into a buffer made once, as on the devices:
            // a new vector every round would time the operating system
            // faulting in its fresh pages as well.
            Problem::Saxpy => {
                let (x, y) = crate::saxpy_inputs(size);
                let mut out = vec![0.0; size];
                repeated(runs, || {
                    crate::saxpy_into(
                        crate::SAXPY_A,
                        black_box(&x),
                        &y,
                        &mut out,
                    );
                    black_box(&mut out);
                })
                .1
            }
            Problem::Sum => {
                let values = crate::reduce_input(size);
                repeated(runs, || black_box(crate::sum(black_box(&values)))).1
            }
            Problem::Scan => {
                let values = crate::reduce_input(size);
                let mut out = vec![0; size];
                repeated(runs, || {
                    crate::inclusive_scan_into(black_box(&values), &mut out);
                    black_box(&mut out);
                })
                .1
            }
            Problem::Matmul => {
                let (a, b) = crate::matmul_inputs(size);
                repeated(runs, || {
                    black_box(crate::matmul(black_box(&a), &b, size))
                })
                .1
            }
        };
        Ok(Measured {
            problem,
            size,
            work: problem.work_on_the_cpu(size),
            agreement: "the reference itself".to_string(),
            timed: "loop",
            time,
        })
    }

    fn mandelbrot(
        &self,
        view: &crate::View,
    ) -> Result<(Vec<u32>, Summary), String> {
        Ok(repeated(3, || crate::mandelbrot(black_box(view))))
    }
}

/// The rate of a copy of `n` four-byte words that took `time`, in bytes moved
/// per second: each word is read once and written once. Every backend's
/// `copy_bandwidth` reports this.
pub fn copy_rate(n: usize, time: std::time::Duration) -> f64 {
    let bytes = 2 * n * size_of::<u32>();
    bytes as f64 / time.as_secs_f64().max(f64::MIN_POSITIVE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_counts_bytes_for_streams_and_flops_for_the_product() {
        assert_eq!(Problem::Saxpy.work(10), Work::Bytes(120));
        assert_eq!(Problem::Sum.work(10), Work::Bytes(40));
        assert_eq!(Problem::Scan.work(10), Work::Bytes(160));
        // The CPU scans in one pass: read once, written once.
        assert_eq!(Problem::Scan.work_on_the_cpu(10), Work::Bytes(80));
        assert_eq!(Problem::Sum.work_on_the_cpu(10), Work::Bytes(40));
        assert_eq!(
            Cpu.run(Problem::Scan, 10).expect("the CPU scans").work,
            Work::Bytes(80)
        );
        assert_eq!(Problem::Matmul.work(10), Work::Flops(2000.0));
        assert_eq!(Problem::Matmul.size_label(16), "16 x 16");
        assert_eq!(Problem::Sum.size_label(16), "n = 16");
    }

    #[test]
    fn problems_by_name_and_size() {
        let names = Problem::ALL.map(Problem::name);
        assert_eq!(names, ["saxpy", "sum", "scan", "matmul"]);
        assert_eq!(Problem::Scan.to_string(), "scan");
        assert_eq!(Problem::Matmul.size(1_000_000, 512), 512);
        assert_eq!(Problem::Sum.size(1_000_000, 512), 1_000_000);
        // Three 30 x 30 matrices, or vectors of 1,000.
        assert_eq!(Problem::Matmul.largest_array(30), 900);
        assert_eq!(Problem::Saxpy.largest_array(1000), 1000);
        assert_eq!(Problem::Scan.largest_array(1000), 1000);
        assert_eq!(Problem::Matmul.largest_array(usize::MAX), usize::MAX);
    }

    fn measured(work: Work) -> Measured {
        Measured {
            problem: Problem::Sum,
            size: 1000,
            work,
            agreement: "matches the CPU".to_string(),
            timed: "kernel",
            time: Summary::of(
                [2, 1, 3].map(std::time::Duration::from_secs).to_vec(),
            ),
        }
    }

    #[test]
    fn a_rate_is_bandwidth_against_copy_or_flops_over_the_median() {
        // The median round is 2 s.
        let streaming = measured(Work::Bytes(12_000_000_000));
        assert_eq!(streaming.rate(12e9), "6.00 GB/s, 50% of copy");
        assert_eq!(
            streaming.line(12e9),
            "sum n = 1000: matches the CPU; kernel 2.00 s (1.00 s – 3.00 s): \
             6.00 GB/s, 50% of copy"
        );
        assert_eq!(measured(Work::Flops(5e9)).rate(12e9), "2.50 GFLOP/s");
    }

    #[test]
    fn a_copy_moves_every_word_twice() {
        // 1,000 words are 8,000 bytes moved; in a microsecond, 8 GB/s.
        let microsecond = std::time::Duration::from_micros(1);
        assert_eq!(copy_rate(1000, microsecond), 8e9);
        assert_eq!(copy_rate(3, std::time::Duration::from_millis(2)), 12e3);
        // An empty copy timed at zero moved nothing: zero, not 0 / 0's NaN.
        assert_eq!(copy_rate(0, std::time::Duration::ZERO), 0.0);
        // A sanity floor, not a speed: 8 KB copied in under 8 ms.
        assert!(Cpu.copy_bandwidth(1000).unwrap() > 1e6);
    }

    /// A backend that implements only what it must.
    struct Bare;

    impl Backend for Bare {
        fn describe(&self) -> String {
            "bare".to_string()
        }
        fn emulated(&self) -> bool {
            true
        }
        fn copy_bandwidth(&self, _: usize) -> Result<f64, String> {
            Err("no copy".to_string())
        }
        fn run(&self, _: Problem, _: usize) -> Result<Measured, String> {
            Err("no run".to_string())
        }
        fn mandelbrot(
            &self,
            _: &crate::View,
        ) -> Result<(Vec<u32>, Summary), String> {
            Err("no picture".to_string())
        }
    }

    #[test]
    fn a_backend_knows_no_cache_fits_everything_and_has_no_tuned_kernel() {
        assert_eq!(Bare.cache_bytes(), None);
        assert_eq!(Bare.fits(Problem::Matmul, 1 << 20), Ok(()));
        assert!(Bare.run_tuned(Problem::Sum, 10).is_none());
    }

    #[test]
    fn the_cpu_is_the_reference_not_an_emulated_device() {
        assert!(!Cpu.emulated());
        assert!(Cpu.describe().starts_with("the CPU reference"));
        let cache = last_level_cache_bytes().map(|bytes| bytes as usize);
        assert_eq!(Cpu.cache_bytes(), cache);
        // Three rounds of the matrix product, five of the others.
        let rounds = |problem| Cpu.run(problem, 16).unwrap().time.rounds();
        assert_eq!(rounds(Problem::Matmul), 3);
        assert_eq!(rounds(Problem::Sum), 5);
    }

    #[test]
    fn the_cpu_backend_runs_every_problem_and_prints_one_line() {
        let cpu = Cpu;
        assert!(cpu.copy_bandwidth(1000).expect("host copy") > 0.0);
        for problem in Problem::ALL {
            let measured =
                cpu.run(problem, 33).expect("the CPU runs every problem");
            assert_eq!((measured.problem, measured.size), (problem, 33));
            let line = measured.line(1e9);
            assert!(line.starts_with(problem.name()), "{line}");
            assert!(line.contains("the reference itself; loop "), "{line}");
        }
    }
}
