//! One way to time things, for every listing that prints a time or a rate.
//!
//! A single timing on a shared machine measures the machine as much as the
//! code. So a listing that compares variants runs them *interleaved* (A B, A B,
//! ...) after a warm-up round, which spreads any burst of other work over every
//! variant alike; prints each variant's *median* with its *spread* (fastest and
//! slowest round), so a reader sees how much the rounds disagreed; and heads
//! its output with the machine and its load average at the start and the end
//! of the run, so a reader can tell a quiet run from a busy one.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use crate::{format_duration, load_average};

// ANCHOR: machine
/// The machine a measurement ran on and how busy it was when the run started.
#[derive(Debug, Clone)]
pub struct Machine {
    /// The processor's model name, from `/proc/cpuinfo`.
    pub model: String,
    /// The cores this process may run on.
    pub cores: usize,
    /// The one-minute load average when the run started.
    pub load_at_start: Option<f64>,
    /// The machine's and this process's CPU time when the run started.
    pub cpu_at_start: Option<CpuTimes>,
}

impl Machine {
    /// Reads the machine now, at the start of a run.
    pub fn now() -> Self {
        let model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|text| model_name(&text))
            .unwrap_or_else(|| std::env::consts::ARCH.to_string());
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            model,
            cores,
            load_at_start: load_average(),
            cpu_at_start: CpuTimes::now(),
        }
    }

    /// The header line of a timed output, with the load read again now:
    /// `machine: AMD EPYC 7B13 (2 cores), load 0.3 at start, load 0.9 at end,
    /// others 2% of the CPU`, and `, busy` after it when other programs took
    /// more than a quarter of the machine's CPU time during the run.
    ///
    /// The load average alone cannot say that: it lags by a minute and counts
    /// this run's own threads, so a two-thread benchmark on two cores reads as
    /// a busy machine by the time it ends.
    pub fn header(&self) -> String {
        self.header_at_end(load_average(), CpuTimes::now())
    }

    /// The header of a run that ended with this load and these CPU times.
    fn header_at_end(
        &self,
        load_at_end: Option<f64>,
        cpu_at_end: Option<CpuTimes>,
    ) -> String {
        let load = |value: Option<f64>| {
            value.map_or("load unknown".to_string(), |v| format!("load {v:.1}"))
        };
        let others = self
            .cpu_at_start
            .zip(cpu_at_end)
            .and_then(|(start, end)| start.others_share(&end));
        let (others_text, busy) = match others {
            Some(share) => (
                format!(", others {:.0}% of the CPU", share * 100.0),
                share > BUSY_SHARE,
            ),
            // Without /proc/stat, the load at the start is all there is.
            None => (
                String::new(),
                self.load_at_start
                    .is_some_and(|load| is_busy(load, self.cores)),
            ),
        };
        format!(
            "machine: {} ({} cores), {} at start, {} at end{others_text}{}",
            self.model,
            self.cores,
            load(self.load_at_start),
            load(load_at_end),
            if busy { ", busy" } else { "" }
        )
    }
}

/// The share of the machine's CPU time that other programs may take during a
/// run before its header calls the machine busy.
const BUSY_SHARE: f64 = 0.25;

/// CPU time in clock ticks: the whole machine's, from `/proc/stat`, and this
/// process's own (with the children it has waited for), from
/// `/proc/self/stat`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpuTimes {
    /// All time of all cores, busy or idle.
    pub total: u64,
    /// Idle time (with time waiting for I/O).
    pub idle: u64,
    /// This process's and its children's time.
    pub own: u64,
}

impl CpuTimes {
    /// The counters now, on Linux; `None` elsewhere.
    pub fn now() -> Option<Self> {
        let machine = std::fs::read_to_string("/proc/stat").ok()?;
        let process = std::fs::read_to_string("/proc/self/stat").ok()?;
        let (total, idle) = machine_times(&machine)?;
        Some(Self {
            total,
            idle,
            own: own_time(&process)?,
        })
    }

    /// The share of the machine's CPU time from `self` to `later` that went
    /// to programs other than this one.
    pub fn others_share(&self, later: &CpuTimes) -> Option<f64> {
        let total = later.total.checked_sub(self.total)?;
        let busy = total.checked_sub(later.idle.checked_sub(self.idle)?)?;
        let own = later.own.checked_sub(self.own)?;
        (total > 0).then(|| busy.saturating_sub(own) as f64 / total as f64)
    }
}

/// `(total, idle)` from the `cpu` line of `/proc/stat`: user, nice, system,
/// idle, iowait, irq, softirq, steal.
fn machine_times(stat: &str) -> Option<(u64, u64)> {
    let line = stat.lines().find(|line| line.starts_with("cpu "))?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .take(8)
        .map(|field| field.parse().ok())
        .collect::<Option<_>>()?;
    let [.., idle, iowait, _, _, _] = ticks[..] else {
        return None;
    };
    Some((ticks.iter().sum(), idle + iowait))
}

/// utime + stime + cutime + cstime from `/proc/self/stat` (fields 14 to 17;
/// the command name in parentheses before them may hold spaces).
fn own_time(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    fields
        .get(11..15)?
        .iter()
        .map(|field| field.parse::<u64>().ok())
        .sum()
}
// ANCHOR_END: machine

/// Whether a machine with this one-minute load average is too busy to time
/// anything on: other programs then wanted more than half of its cores, so a
/// parallel run would be measuring them as much as itself. `cargo xtask bless`
/// refuses to record timings on a busy machine unless told `--busy`.
pub fn is_busy(load: f64, cores: usize) -> bool {
    load > cores as f64 / 2.0
}

/// The processor's last-level cache in bytes: the `size` of the highest
/// `level` under `/sys/devices/system/cpu/cpu0/cache/index*` (Linux); `None`
/// where there is no such folder.
///
/// Bandwidth listings size their arrays by it (STREAM's rule: each array at
/// least four times the last-level cache) and say whether a working set fits.
pub fn last_level_cache_bytes() -> Option<u64> {
    last_level_cache_in(std::path::Path::new(CPU0_CACHES))
}

/// Where Linux describes the first processor's caches, one `index*` folder
/// each.
const CPU0_CACHES: &str = "/sys/devices/system/cpu/cpu0/cache";

/// The size of the highest-level cache described in `folder`.
fn last_level_cache_in(folder: &std::path::Path) -> Option<u64> {
    std::fs::read_dir(folder)
        .ok()?
        .filter_map(|entry| {
            let dir = entry.ok()?.path();
            let read = |name| std::fs::read_to_string(dir.join(name)).ok();
            let level: u32 = read("level")?.trim().parse().ok()?;
            Some((level, cache_size_bytes(&read("size")?)?))
        })
        .max()
        .map(|(_, bytes)| bytes)
}

/// A cache size as the kernel writes it (`32768K`, `1M`, `512`), in bytes.
pub fn cache_size_bytes(text: &str) -> Option<u64> {
    let text = text.trim();
    let (number, scale) = match text.char_indices().last()? {
        (at, 'K') => (&text[..at], 1 << 10),
        (at, 'M') => (&text[..at], 1 << 20),
        (at, 'G') => (&text[..at], 1 << 30),
        _ => (text, 1),
    };
    Some(number.parse::<u64>().ok()? * scale)
}

/// The `model name` line of `/proc/cpuinfo`.
fn model_name(cpuinfo: &str) -> Option<String> {
    cpuinfo.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == "model name").then(|| value.trim().to_string())
    })
}

// ANCHOR: summary
/// The timings of one variant over the measured rounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Sorted, fastest first.
    sorted: Vec<Duration>,
}

impl Summary {
    /// Summarises the rounds' timings; at least one is needed.
    pub fn of(mut samples: Vec<Duration>) -> Self {
        assert!(!samples.is_empty(), "a summary needs at least one round");
        samples.sort();
        Self { sorted: samples }
    }

    /// The middle round (the mean of the two middle ones for an even count):
    /// unlike the mean, one round slowed by another program barely moves it.
    pub fn median(&self) -> Duration {
        middle(&self.sorted, |a, b| (a + b) / 2)
    }

    pub fn fastest(&self) -> Duration {
        self.sorted[0]
    }

    pub fn slowest(&self) -> Duration {
        self.sorted[self.sorted.len() - 1]
    }

    pub fn rounds(&self) -> usize {
        self.sorted.len()
    }

    /// The median and the range of the rounds: `12.3 ms (11.9 ms – 13.0 ms)`.
    pub fn display(&self) -> String {
        format!(
            "{} ({} – {})",
            format_duration(self.median()),
            format_duration(self.fastest()),
            format_duration(self.slowest())
        )
    }

    /// The same in a table's narrow column: the median and how far the
    /// farthest round lay from it, as a share of it: `12.3 ms ±6%`.
    pub fn display_narrow(&self) -> String {
        let median = self.median().as_secs_f64();
        let farthest = (median - self.fastest().as_secs_f64())
            .max(self.slowest().as_secs_f64() - median);
        let percent = 100.0 * farthest / median.max(f64::MIN_POSITIVE);
        format!("{} ±{percent:.0}%", format_duration(self.median()))
    }
}
// ANCHOR_END: summary

/// Speedups of one variant over a baseline, round by round (the rounds paired
/// as they ran, so each ratio compares two runs made moments apart).
#[derive(Debug, Clone, PartialEq)]
pub struct Speedups {
    /// Sorted, lowest first.
    sorted: Vec<f64>,
}

impl Speedups {
    /// `baseline[i] / other[i]` for every round; at least one round is needed.
    pub fn of_rounds(baseline: &[Duration], other: &[Duration]) -> Self {
        assert!(
            !baseline.is_empty() && baseline.len() == other.len(),
            "speedups pair rounds one to one"
        );
        let mut sorted: Vec<f64> = baseline
            .iter()
            .zip(other)
            .map(|(base, other)| {
                base.as_secs_f64() / other.as_secs_f64().max(f64::MIN_POSITIVE)
            })
            .collect();
        sorted.sort_by(f64::total_cmp);
        Self { sorted }
    }

    pub fn median(&self) -> f64 {
        middle(&self.sorted, |a, b| (a + b) / 2.0)
    }

    /// The median and the range of the rounds: `1.93× (1.80× – 2.05×)`.
    pub fn display(&self) -> String {
        format!(
            "{:.2}× ({:.2}× – {:.2}×)",
            self.median(),
            self.sorted[0],
            self.sorted[self.sorted.len() - 1]
        )
    }
}

/// The median of sorted, non-empty values: the middle one, or the `mean` of
/// the two middle ones for an even count.
fn middle<T: Copy>(sorted: &[T], mean: impl Fn(T, T) -> T) -> T {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        mean(sorted[n / 2 - 1], sorted[n / 2])
    }
}

// ANCHOR: interleaved
/// Runs every variant once to warm up (caches, page faults, thread pools,
/// lazily compiled kernels), then `rounds` more times in turn — A B C, A B C —
/// and returns each variant's summary and the result of its last run. The
/// first run that fails ends the measurement with its error.
///
/// Interleaving is what makes the variants comparable: a burst of load from
/// another program lands on the rounds of every variant, not on all the
/// rounds of one of them.
pub fn interleaved<T, E>(
    rounds: usize,
    variants: &mut [&mut dyn FnMut() -> Result<T, E>],
) -> Result<Vec<(Summary, T)>, E> {
    rounds_in_turn(rounds, variants.len(), |index| {
        let start = Instant::now();
        let result = variants[index]()?;
        Ok((result, start.elapsed()))
    })
}

/// [`interleaved_infallible`] for variants that consume their input, such as
/// an in-place sort: before every run, `setup` makes a fresh input (a copy of
/// the unsorted numbers) outside the timed region, and only the variant's
/// work on it is timed — what criterion calls `iter_batched`.
pub fn interleaved_batched<I, T, F: FnMut(I) -> T>(
    rounds: usize,
    mut setup: impl FnMut() -> I,
    variants: &mut [F],
) -> Vec<(Summary, T)> {
    never_fails(rounds_in_turn(rounds, variants.len(), |index| {
        let input = setup();
        let start = Instant::now();
        let result = variants[index](input);
        Ok((result, start.elapsed()))
    }))
}

/// One piece of work measured alone: a warm-up run, then `rounds` timed runs;
/// its last result and the summary of the rounds.
pub fn repeated<T>(rounds: usize, work: impl FnMut() -> T) -> (T, Summary) {
    let mut measured = interleaved_infallible(rounds, &mut [work]);
    let (summary, result) = measured.pop().expect("one variant, one summary");
    (result, summary)
}

/// The summary of `rounds` runs of work that times itself — a GPU kernel
/// timed by the device's own clock (profiling events, CUDA events, timestamp
/// queries), where the host's clock would add the launch and the wait. There
/// is no warm-up run here: callers run the kernel once first, to check its
/// result.
pub fn self_timed<E>(
    rounds: usize,
    mut run: impl FnMut() -> Result<Duration, E>,
) -> Result<Summary, E> {
    let samples = (0..rounds.max(1))
        .map(|_| run())
        .collect::<Result<_, _>>()?;
    Ok(Summary::of(samples))
}

/// [`interleaved`] for variants that time themselves — the part of a run
/// after its set-up, such as messages sent once a connection is open — and
/// return a report of what they measured: every variant's report of every
/// round, the warm-up's left out.
pub fn interleaved_reports<R, E>(
    rounds: usize,
    variants: &mut [&mut dyn FnMut() -> Result<R, E>],
) -> Result<Vec<Vec<R>>, E> {
    each_round_in_turn(rounds, variants.len(), |index| variants[index]())
}

/// The summaries and last results of `rounds_in_turn`'s timed runs.
fn rounds_in_turn<T, E>(
    rounds: usize,
    variants: usize,
    run: impl FnMut(usize) -> Result<(T, Duration), E>,
) -> Result<Vec<(Summary, T)>, E> {
    Ok(each_round_in_turn(rounds, variants, run)?
        .into_iter()
        .map(|runs| {
            let (results, samples): (Vec<T>, Vec<Duration>) =
                runs.into_iter().unzip();
            let last = results.into_iter().last();
            let last = last.expect("every variant ran at least one round");
            (Summary::of(samples), last)
        })
        .collect())
}

/// The schedule every kind of measurement shares: one warm-up run of every
/// variant, then `rounds` rounds in which `run(index)` runs each variant in
/// turn; what each variant's timed runs returned, in order.
fn each_round_in_turn<R, E>(
    rounds: usize,
    variants: usize,
    mut run: impl FnMut(usize) -> Result<R, E>,
) -> Result<Vec<Vec<R>>, E> {
    for index in 0..variants {
        run(index)?;
    }
    let mut reports: Vec<Vec<R>> =
        (0..variants).map(|_| Vec::with_capacity(rounds)).collect();
    for _ in 0..rounds.max(1) {
        for (index, reports) in reports.iter_mut().enumerate() {
            reports.push(run(index)?);
        }
    }
    Ok(reports)
}

/// [`interleaved`] for variants that cannot fail, such as computations:
/// `interleaved_infallible(5, &mut [plain_loop, on_threads])`.
pub fn interleaved_infallible<T, F: FnMut() -> T>(
    rounds: usize,
    variants: &mut [F],
) -> Vec<(Summary, T)> {
    let mut fallible: Vec<_> = variants
        .iter_mut()
        .map(|variant| move || Ok::<T, Infallible>(variant()))
        .collect();
    let mut fallible: Vec<&mut dyn FnMut() -> Result<T, _>> = fallible
        .iter_mut()
        .map(|variant| variant as &mut dyn FnMut() -> Result<T, _>)
        .collect();
    never_fails(interleaved(rounds, &mut fallible))
}
// ANCHOR_END: interleaved

/// The value of a result that cannot be an error.
fn never_fails<T>(result: Result<T, Infallible>) -> T {
    match result {
        Ok(value) => value,
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().copied().map(Duration::from_millis).collect()
    }

    #[test]
    fn median_ignores_one_slow_round() {
        let summary = Summary::of(ms(&[12, 11, 95, 13, 12]));
        assert_eq!(summary.median(), Duration::from_millis(12));
        assert_eq!(summary.fastest(), Duration::from_millis(11));
        assert_eq!(summary.slowest(), Duration::from_millis(95));
        assert_eq!(summary.display(), "12.0 ms (11.0 ms – 95.0 ms)");
        assert_eq!(summary.display_narrow(), "12.0 ms ±692%");
        let spread = Summary::of(ms(&[50, 10, 40, 20, 30]));
        assert_eq!(spread.median(), Duration::from_millis(30));
        let close = Summary::of(ms(&[100, 96, 103]));
        assert_eq!(close.display_narrow(), "100 ms ±4%", "the farther side");
    }

    #[test]
    fn median_of_an_even_count_is_the_mean_of_the_middle_two() {
        let summary = Summary::of(ms(&[40, 10, 20, 30]));
        assert_eq!(summary.median(), Duration::from_millis(25));
        assert_eq!(summary.rounds(), 4);
    }

    #[test]
    fn speedups_pair_the_rounds_as_they_ran() {
        let speedups =
            Speedups::of_rounds(&ms(&[20, 30, 10]), &ms(&[10, 10, 10]));
        assert_eq!(speedups.median(), 2.0);
        assert_eq!(speedups.display(), "2.00× (1.00× – 3.00×)");
        let even = Speedups::of_rounds(&ms(&[10, 30]), &ms(&[10, 10]));
        assert_eq!(even.median(), 2.0);
    }

    #[test]
    fn variants_run_interleaved_after_one_warm_up_each() {
        let order = std::cell::RefCell::new(String::new());
        let mut a = || {
            order.borrow_mut().push('a');
            Ok::<_, String>(1)
        };
        let mut b = || {
            order.borrow_mut().push('b');
            Ok(7)
        };
        let results = interleaved(3, &mut [&mut a, &mut b]).unwrap();
        assert_eq!(*order.borrow(), "abababab");
        assert_eq!(results.len(), 2);
        assert_eq!(results[0].0.rounds(), 3, "warm-up rounds are not counted");
        assert_eq!(results[1].1, 7, "the last run's result comes back");
    }

    #[test]
    fn batched_variants_get_a_fresh_input_made_outside_the_timed_region() {
        let made = std::cell::Cell::new(0);
        let setup = || {
            made.set(made.get() + 1);
            // Slow to make, so a timing that counted it would show it.
            std::thread::sleep(Duration::from_millis(100));
            vec![3, 1, 2]
        };
        let sort = |mut numbers: Vec<i32>| {
            numbers.sort();
            numbers
        };
        let reverse = |mut numbers: Vec<i32>| {
            numbers.reverse();
            numbers
        };
        type Variant = Box<dyn FnMut(Vec<i32>) -> Vec<i32>>;
        let mut variants: [Variant; 2] = [Box::new(sort), Box::new(reverse)];
        let results = interleaved_batched(2, setup, &mut variants);
        assert_eq!(made.get(), 6, "one input per run, warm-ups included");
        assert_eq!(results[0].1, [1, 2, 3]);
        assert_eq!(results[1].1, [2, 1, 3], "each run starts from the input");
        for (summary, _) in &results {
            assert_eq!(summary.rounds(), 2);
            assert!(summary.slowest() < Duration::from_millis(100));
        }
    }

    #[test]
    fn repeated_warms_up_once_and_summarises_the_rounds() {
        let mut runs = 0;
        let (last, summary) = repeated(4, || {
            runs += 1;
            runs
        });
        assert_eq!((runs, last), (5, 5), "one warm-up and four rounds");
        assert_eq!(summary.rounds(), 4);
    }

    #[test]
    fn self_timed_work_is_summarised_by_the_times_it_reports() {
        let mut reported = [30, 10, 20].into_iter().map(Duration::from_millis);
        let summary =
            self_timed(3, || reported.next().ok_or("no more")).unwrap();
        assert_eq!(summary.display(), "20.0 ms (10.0 ms – 30.0 ms)");
        let mut failing = || Err::<Duration, _>("the device is gone");
        assert_eq!(self_timed(3, &mut failing), Err("the device is gone"));
    }

    #[test]
    fn self_timing_variants_report_every_round_in_turn() {
        let order = std::cell::RefCell::new(Vec::new());
        let mut a = || {
            order.borrow_mut().push('a');
            Ok::<_, String>(order.borrow().len())
        };
        let mut b = || {
            order.borrow_mut().push('b');
            Ok(order.borrow().len())
        };
        let reports = interleaved_reports(2, &mut [&mut a, &mut b]).unwrap();
        assert_eq!(*order.borrow(), ['a', 'b', 'a', 'b', 'a', 'b']);
        assert_eq!(reports, [vec![3, 5], vec![4, 6]], "warm-ups left out");
    }

    #[test]
    fn the_first_failed_run_ends_the_measurement() {
        let mut runs = 0;
        let mut fails_third = || {
            runs += 1;
            if runs == 3 {
                Err(format!("run {runs}"))
            } else {
                Ok(())
            }
        };
        let error = interleaved(5, &mut [&mut fails_third]).unwrap_err();
        assert_eq!(error, "run 3");
    }

    #[test]
    fn the_header_names_the_model_cores_both_loads_and_the_others_share() {
        let machine = Machine {
            model: "Test CPU".to_string(),
            cores: 2,
            load_at_start: Some(0.3),
            cpu_at_start: CpuTimes::now(),
        };
        // A few clock ticks must pass for a share to mean anything.
        let until = Instant::now() + Duration::from_millis(60);
        while Instant::now() < until {}
        let header = machine.header();
        assert!(
            header.starts_with(
                "machine: Test CPU (2 cores), load 0.3 at start, "
            ),
            "{header}"
        );
        // Whatever else runs on this machine now decides the share.
        assert!(header.contains("% of the CPU"), "{header}");
    }

    #[test]
    fn others_share_is_busy_time_less_this_process_time() {
        let stat = "cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3\n";
        assert_eq!(machine_times(stat), Some((1000, 850)));
        let own = "4242 (a (b) c) R 1 2 3 4 5 6 7 8 9 10 30 20 5 5 20 0";
        assert_eq!(own_time(own), Some(60));
        let start = CpuTimes {
            total: 1000,
            idle: 850,
            own: 60,
        };
        // 200 ticks pass, 40 of them idle: 160 busy, 120 of them ours.
        let end = CpuTimes {
            total: 1200,
            idle: 890,
            own: 180,
        };
        assert_eq!(start.others_share(&end), Some(0.2));
        assert_eq!(start.others_share(&start), None);
    }

    #[test]
    fn busy_means_others_took_more_than_a_quarter_of_the_cpu_time() {
        let start = CpuTimes {
            total: 1000,
            idle: 850,
            own: 60,
        };
        // A load at the start that would call the machine busy: the CPU
        // times, when there are any, decide instead.
        let machine = Machine {
            model: "Test CPU".to_string(),
            cores: 1,
            load_at_start: Some(3.0),
            cpu_at_start: Some(start),
        };
        // 200 ticks pass and none of them is this process's.
        let header = |busy_ticks: u64| {
            let end = CpuTimes {
                total: 1200,
                idle: 850 + 200 - busy_ticks,
                own: 60,
            };
            machine.header_at_end(Some(0.5), Some(end))
        };
        assert_eq!(
            header(50),
            "machine: Test CPU (1 cores), load 3.0 at start, load 0.5 at end, \
             others 25% of the CPU"
        );
        assert!(header(40).ends_with("others 20% of the CPU"));
        assert!(header(60).ends_with("others 30% of the CPU, busy"));
        let unknown = machine.header_at_end(None, None);
        assert!(unknown.ends_with("load unknown at end, busy"), "{unknown}");
    }

    #[test]
    fn busy_means_more_than_half_the_cores_wanted_elsewhere() {
        assert!(!is_busy(0.4, 2));
        assert!(!is_busy(1.0, 2));
        assert!(is_busy(1.1, 2));
        assert!(!is_busy(7.9, 16));
        let header = Machine {
            model: "Test CPU".to_string(),
            cores: 1,
            load_at_start: Some(3.0),
            cpu_at_start: None,
        }
        .header();
        assert!(header.ends_with(" at end, busy"), "{header}");
    }

    #[test]
    fn cache_sizes_read_as_linux_writes_them() {
        assert_eq!(cache_size_bytes("32768K\n"), Some(32 << 20));
        assert_eq!(cache_size_bytes("1M"), Some(1 << 20));
        assert_eq!(cache_size_bytes("2G"), Some(2 << 30));
        assert_eq!(cache_size_bytes("512"), Some(512));
        assert_eq!(cache_size_bytes("lots"), None);
        assert_eq!(cache_size_bytes(""), None);
    }

    #[test]
    fn the_last_level_cache_is_the_highest_level_not_the_largest() {
        let folder =
            std::env::temp_dir().join(format!("caches-{}", std::process::id()));
        // A level-2 cache larger than the level-3 one (as on some chips),
        // and an entry that is no cache.
        for (index, level, size) in
            [(0, "1", "48K"), (2, "2", "2M"), (3, "3", "1M")]
        {
            let dir = folder.join(format!("index{index}"));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("level"), format!("{level}\n")).unwrap();
            std::fs::write(dir.join("size"), format!("{size}\n")).unwrap();
        }
        std::fs::create_dir_all(folder.join("power")).unwrap();
        let last_level = last_level_cache_in(&folder);
        // Without the level-3 cache, level 2 is the last.
        std::fs::remove_dir_all(folder.join("index3")).unwrap();
        let without_l3 = last_level_cache_in(&folder);
        std::fs::remove_dir_all(&folder).unwrap();
        assert_eq!(last_level, Some(1 << 20));
        assert_eq!(without_l3, Some(2 << 20));
        assert_eq!(last_level_cache_in(&folder), None, "no folder, no cache");
        // This machine's, where Linux describes it.
        let here = last_level_cache_in(std::path::Path::new(CPU0_CACHES));
        assert_eq!(last_level_cache_bytes(), here);
    }

    #[test]
    fn model_name_comes_from_cpuinfo() {
        let cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\n\
                       model name\t: AMD EPYC 7B13 64-Core Processor\n";
        assert_eq!(
            model_name(cpuinfo).as_deref(),
            Some("AMD EPYC 7B13 64-Core Processor")
        );
        assert_eq!(model_name("processor\t: 0\n"), None);
    }
}
