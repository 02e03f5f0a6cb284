//! The machine's limits from its own description, not from the code being
//! judged: the compute roof is cores × clock × vector lanes × pipes × the
//! operations one instruction does, and the arrays are sized against the
//! last-level cache the kernel reports.

use std::time::Duration;

use book_helpers::measure::interleaved_infallible;

// ANCHOR: hardware
/// What the processor says about itself, and the one figure it does not say
/// reliably under a hypervisor, its clock, measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Hardware {
    pub cores: usize,
    /// Cycles per second in GHz, and how they were found.
    pub clock_ghz: f64,
    pub clock_source: &'static str,
    /// The widest vector extension in `/proc/cpuinfo`'s flags, and how many
    /// `f64`s one of its registers holds.
    pub vector: (&'static str, usize),
    pub fma: bool,
    /// Pipes that add but do not multiply, beside the two FMA pipes (AMD's
    /// Zen cores have two; Intel's cores add on the FMA pipes).
    pub add_pipes: usize,
}

/// Vector pipes that each start a fused multiply-add (or a multiply, or an
/// add) every cycle: two on every x86 core with FMA since Intel's Haswell
/// and AMD's Zen 2. `/proc/cpuinfo` does not say it; it is an assumption.
pub const FMA_PIPES: usize = 2;

impl Hardware {
    /// The hardware's peak: every core starting an FMA, two operations per
    /// lane, on each FMA pipe every cycle.
    pub fn peak_gflops(&self) -> f64 {
        if self.fma {
            self.rate(self.vector.1, FMA_PIPES, 2)
        } else {
            self.mul_add_ceiling(self.vector.1)
        }
    }

    /// The ceiling of code with as many multiplies as adds and no FMA, in
    /// vectors of `lanes` `f64`s: a multiply on each FMA pipe and an add on
    /// each add pipe, or where adds share the FMA pipes, one of either.
    pub fn mul_add_ceiling(&self, lanes: usize) -> f64 {
        self.rate(lanes, self.mul_add_pipes(), 1)
    }

    /// Pipes that a mix of multiplies and adds keeps busy each cycle.
    pub fn mul_add_pipes(&self) -> usize {
        FMA_PIPES + self.add_pipes.min(FMA_PIPES)
    }

    fn rate(&self, lanes: usize, pipes: usize, flop: usize) -> f64 {
        (self.cores * lanes * pipes * flop) as f64 * self.clock_ghz
    }
}

/// The `f64` lanes this build's vector code uses: what `-C target-cpu`
/// or `-C target-feature` enabled when it was compiled, SSE2 otherwise.
pub fn build_vector() -> (&'static str, usize) {
    if cfg!(target_feature = "avx512f") {
        ("AVX-512", 8)
    } else if cfg!(target_feature = "avx") {
        ("AVX", 4)
    } else if cfg!(target_arch = "x86_64") {
        ("SSE2", 2)
    } else {
        ("128-bit", 2)
    }
}

/// Whether this build may fuse: `f64::mul_add` compiles to an FMA
/// instruction only when the target feature is on, and to a call to the C
/// library's `fma` otherwise.
pub const BUILD_FMA: bool = cfg!(target_feature = "fma");

/// The processor's description from `/proc/cpuinfo`: its flags and vendor.
pub fn from_cpuinfo(
    cpuinfo: &str,
    cores: usize,
    clock: (f64, &'static str),
) -> Hardware {
    let field = |name: &str| {
        cpuinfo.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            (key.trim() == name).then(|| value.trim().to_string())
        })
    };
    let flags = field("flags").unwrap_or_default();
    let has = |flag: &str| flags.split_whitespace().any(|f| f == flag);
    let vector = if has("avx512f") {
        ("AVX-512", 8)
    } else if has("avx") {
        ("AVX", 4)
    } else {
        ("SSE2", 2)
    };
    let zen = field("vendor_id").as_deref() == Some("AuthenticAMD")
        && field("cpu family").and_then(|f| f.parse::<u32>().ok()) >= Some(23);
    Hardware {
        cores,
        clock_ghz: clock.0,
        clock_source: clock.1,
        vector,
        fma: has("fma"),
        add_pipes: if zen { 2 } else { 0 },
    }
}
// ANCHOR_END: hardware

/// This machine: `/proc/cpuinfo` and a measured clock.
pub fn this_machine(cores: usize) -> Hardware {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    from_cpuinfo(&cpuinfo, cores, clock(&cpuinfo))
}

/// The clock in GHz: measured where the processor can be asked to run a
/// chain of dependent adds, one per cycle; otherwise the highest frequency
/// the kernel reports, or `/proc/cpuinfo`'s current one.
fn clock(cpuinfo: &str) -> (f64, &'static str) {
    if let Some(ghz) = measured_clock_ghz() {
        return (ghz, "measured: dependent integer adds, one per cycle");
    }
    let max = std::fs::read_to_string(
        "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq",
    );
    reported_clock(max.ok().as_deref(), cpuinfo)
}

/// The clock the kernel reports, in GHz: cpufreq's maximum (`max_khz`, the
/// text of `cpuinfo_max_freq`) if there is one, else `/proc/cpuinfo`'s
/// current `cpu MHz`, else 0.
pub fn reported_clock(
    max_khz: Option<&str>,
    cpuinfo: &str,
) -> (f64, &'static str) {
    if let Some(khz) = max_khz.and_then(|k| k.trim().parse::<f64>().ok()) {
        return (khz / 1e6, "cpufreq's maximum");
    }
    let mhz = cpuinfo
        .lines()
        .find(|line| line.starts_with("cpu MHz"))
        .and_then(|line| line.split(':').nth(1))
        .and_then(|mhz| mhz.trim().parse::<f64>().ok());
    (mhz.unwrap_or(0.0) / 1e3, "/proc/cpuinfo's cpu MHz")
}

/// Adds that each wait for the one before run at one per cycle on every
/// x86 core, so their rate is the clock, turbo included. The fastest of
/// many short rounds counts: another program can only slow a round down,
/// and a round of a quarter of a millisecond often runs undisturbed.
#[cfg(target_arch = "x86_64")]
fn measured_clock_ghz() -> Option<f64> {
    const ITERATIONS: u64 = 100_000;
    const ADDS_PER_ITERATION: u64 = 8;
    let mut chain = [|| dependent_adds(ITERATIONS)];
    let measured = interleaved_infallible(200, &mut chain);
    let (summary, total) = &measured[0];
    let fastest: Duration = summary.fastest();
    (*total == ITERATIONS * ADDS_PER_ITERATION && fastest > Duration::ZERO)
        .then(|| {
            (ITERATIONS * ADDS_PER_ITERATION) as f64
                / fastest.as_secs_f64()
                / 1e9
        })
}

#[cfg(not(target_arch = "x86_64"))]
fn measured_clock_ghz() -> Option<f64> {
    None
}

#[cfg(target_arch = "x86_64")]
fn dependent_adds(iterations: u64) -> u64 {
    let mut total: u64 = 0;
    let left = iterations;
    // SAFETY: the assembly touches only the two registers it is given, no
    // memory and no stack.
    unsafe {
        std::arch::asm!(
            "2:",
            "add {total}, 1",
            "add {total}, 1",
            "add {total}, 1",
            "add {total}, 1",
            "add {total}, 1",
            "add {total}, 1",
            "add {total}, 1",
            "add {total}, 1",
            "dec {left}",
            "jnz 2b",
            total = inout(reg) total,
            left = inout(reg) left => _,
            options(nomem, nostack),
        );
    }
    total
}

/// STREAM's rule for its arrays: each at least four times the last-level
/// cache, so no kernel finds its data left in cache by the one before.
/// Without a cache size, 16 million doubles (128 MiB).
pub fn stream_len(last_level_cache: Option<u64>) -> usize {
    last_level_cache.map_or(16 << 20, |bytes| (4 * bytes / 8) as usize)
}
