//! `cargo xtask test`: every check the book has, in order, ending with one summary line.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::setup::Tools;
use crate::{build_book, cargo, describe, run_command, wasm};

/// What the test runs printed, summed over every `test result:` line.
#[derive(Debug, Default)]
struct TestCounts {
    passed: u64,
    failed: u64,
    ignored: u64,
}

impl TestCounts {
    /// Adds one libtest summary: `test result: ok. 3 passed; 0 failed; 0 ignored; ...`.
    fn add_summary_line(&mut self, line: &str) {
        let Some(rest) = line.strip_prefix("test result: ") else {
            return;
        };
        for part in rest.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(label), Some(count)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(count) = count.parse::<u64>() else {
                continue;
            };
            match label {
                "passed" => self.passed += count,
                "failed" => self.failed += count,
                "ignored" => self.ignored += count,
                _ => {}
            }
        }
    }
}

pub fn run_all(tools: &Tools, root: &Path) -> Result<()> {
    let started = Instant::now();
    let mut done: Vec<&str> = Vec::new();
    let mut step = |name: &'static str, action: &mut dyn FnMut() -> Result<()>| {
        println!("\n==> [{}] {name}", done.len() + 1);
        match action() {
            Ok(()) => {
                done.push(name);
                Ok(())
            }
            Err(error) => {
                println!(
                    "\nxtask test: FAILED at `{name}` after {:.0} s (passed before it: {})",
                    started.elapsed().as_secs_f64(),
                    if done.is_empty() {
                        "nothing".to_string()
                    } else {
                        done.join(", ")
                    }
                );
                Err(error)
            }
        }
    };

    step("setup", &mut || tools.ensure_all())?;
    step("rustfmt", &mut || {
        run_command(cargo().args(["fmt", "--all", "--check"]))
    })?;
    step("clippy", &mut || {
        // Once with the exercises' starters and checks, once with their
        // solutions in the starters' place (only the exercises crate changes).
        for features in [EXERCISE_CHECKS, EXERCISE_SOLUTIONS] {
            run_command(cargo().args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--locked",
                "--features",
                features,
                "--",
                "-D",
                "warnings",
            ]))?;
        }
        Ok(())
    })?;
    step("book build", &mut || {
        build_book(tools, root, wasm::IfMissing::Fail)
    })?;
    let mut counts = TestCounts::default();
    step("cargo test", &mut || {
        let mut test = cargo();
        test.args(["test", "--workspace", "--locked", "--no-fail-fast"]);
        tools.set_env(&mut test)?;
        counts = run_counting_tests(&mut test)?;
        if counts.ignored > 0 {
            bail!(
                "{} tests are marked ignore; every test must run (see the test output above)",
                counts.ignored
            );
        }
        Ok(())
    })?;
    step("exercises", &mut || {
        let solved = check_exercises(tools)?;
        counts.passed += solved;
        Ok(())
    })?;
    let crates = loom_crates(root)?;
    if !crates.is_empty() {
        step("loom models", &mut || {
            let mut loom = cargo();
            loom.args(["test", "--locked", "--release", "--test", "loom"]);
            for krate in &crates {
                loom.args(["-p", krate]);
            }
            // A separate target folder: `--cfg loom` changes every crate's build, and
            // sharing `target/` would throw away the normal build each time.
            loom.args(["--target-dir", "target/loom"]);
            loom.env("RUSTFLAGS", "--cfg loom");
            let models = run_counting_tests(&mut loom)?;
            if models.passed == 0 {
                bail!("the loom step ran no models; is `tests/loom.rs` behind #![cfg(loom)]?");
            }
            counts.passed += models.passed;
            counts.ignored += models.ignored;
            Ok(())
        })?;
    }
    let target_bytes = disk_usage(&root.join("target"))?;
    println!(
        "\nxtask test: ok: {} passed, {} failed, {} ignored; steps {} in {:.0} s; target/ holds {}",
        counts.passed,
        counts.failed,
        counts.ignored,
        done.join(", "),
        started.elapsed().as_secs_f64(),
        gigabytes(target_bytes)
    );
    if target_bytes > TARGET_BUDGET_BYTES {
        bail!(
            "target/ holds {}, past its budget of {}: a full test build from a fresh clone \
             stays under it, so either old builds piled up (`cargo clean`, then test again) \
             or a change made every build bigger (debug info, a second feature set of a \
             heavy crate, a new target folder); see \"Disk and build time\" in the README",
            gigabytes(target_bytes),
            gigabytes(TARGET_BUDGET_BYTES)
        );
    }
    Ok(())
}

/// The most `target/` may hold after a full test run. CI builds a fresh clone beside a
/// working checkout on one disk, so two full builds must fit with room to spare.
const TARGET_BUDGET_BYTES: u64 = 15_000_000_000;

fn gigabytes(bytes: u64) -> String {
    format!("{:.1} GB", bytes as f64 / 1e9)
}

/// Bytes a folder takes on disk, as `du` counts them (allocated blocks, each hard-linked
/// file once); a folder that does not exist takes none.
fn disk_usage(dir: &Path) -> Result<u64> {
    use std::collections::HashSet;
    use std::os::unix::fs::MetadataExt;

    let mut seen = HashSet::new();
    let mut total = 0;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
            Err(error) => return Err(error).with_context(|| format!("reading {}", dir.display())),
        };
        for entry in entries {
            let entry = entry?;
            let metadata = entry.metadata()?;
            if metadata.is_dir() {
                pending.push(entry.path());
            } else if seen.insert((metadata.dev(), metadata.ino())) {
                total += metadata.blocks() * 512;
            }
        }
    }
    Ok(total)
}

/// Listings whose atomics are model-checked: by convention each has a `tests/loom.rs`
/// whose models compile only under `--cfg loom` (the way loom's own docs set it up).
fn loom_crates(root: &Path) -> Result<Vec<String>> {
    let mut crates = Vec::new();
    for entry in std::fs::read_dir(root.join("listings")).context("reading listings/")? {
        let dir = entry?.path();
        if dir.join("tests").join("loom.rs").is_file()
            && let Some(name) = dir.file_name().and_then(|name| name.to_str())
        {
            crates.push(name.to_string());
        }
    }
    crates.sort();
    Ok(crates)
}

/// Features that build the exercises' checks against the starters, and with
/// the book's solutions in the starters' place. Named with `--workspace`, so
/// every other crate keeps the features of the workspace's own build.
const EXERCISE_CHECKS: &str = "exercises/check";
const EXERCISE_SOLUTIONS: &str = "exercises/check,exercises/solution";

/// Proves both sides of every exercise: each check passes on the book's
/// solution and fails on the untouched starter. Returns the number of checks.
fn check_exercises(tools: &Tools) -> Result<u64> {
    let exercise_tests = |features: &str| -> Result<Command> {
        let mut test = cargo();
        test.args(["test", "--workspace", "--locked", "--features", features]);
        test.args(["--test", "exercises"]);
        tools.set_env(&mut test)?;
        Ok(test)
    };
    let solved = run_counting_tests(&mut exercise_tests(EXERCISE_SOLUTIONS)?)?;
    if solved.passed == 0 {
        bail!("the exercises' checks ran no tests (exercises/tests/exercises/)");
    }
    println!("\nThe same checks on the starters, every one of which must fail:");
    let (status, starters) = count_tests(exercise_tests(EXERCISE_CHECKS)?.arg("--no-fail-fast"))?;
    if status.success() || starters.passed > 0 || starters.failed != solved.passed {
        bail!(
            "of {} exercise checks, {} failed on the starters (every one must: a \
             check that a starter passes tests nothing, or the starter gives the \
             answer away)",
            solved.passed,
            starters.failed
        );
    }
    println!(
        "exercises: {} checks pass on the solutions and fail on the starters",
        solved.passed
    );
    Ok(solved.passed)
}

/// Runs a `cargo test` command, echoing its output and adding up the libtest summaries.
fn run_counting_tests(command: &mut Command) -> Result<TestCounts> {
    let (status, counts) = count_tests(command)?;
    if !status.success() || counts.failed > 0 {
        bail!(
            "{} failed ({status}): {} tests failed",
            describe(command),
            counts.failed
        );
    }
    Ok(counts)
}

/// Runs a `cargo test` command, echoing its output; returns how it exited and
/// the libtest summaries added up.
fn count_tests(command: &mut Command) -> Result<(ExitStatus, TestCounts)> {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", describe(command)))?;
    let stdout = child.stdout.take().context("no stdout pipe")?;
    let mut counts = TestCounts::default();
    for line in BufReader::new(stdout).lines() {
        let line = line.context("reading test output")?;
        println!("{line}");
        counts.add_summary_line(&line);
    }
    Ok((child.wait()?, counts))
}

/// Rewrites listings' `output.txt` (all, or those in `only`) and the README's listing
/// index by running the tests that check them in bless mode.
pub fn bless(tools: &Tools, busy: bool, only: &[String]) -> Result<()> {
    // Build first: the build itself loads the machine, and the listings should run after
    // it. The same build the runs will ask for (tests/src/listings.rs), of the whole
    // workspace even when a few listings are named: `-p` would resolve the features of
    // shared crates (wgpu, tokio, hyper) for those packages alone and build them again,
    // burn and wgpu included, beside the build `cargo xtask test` keeps warm.
    let mut build = cargo();
    build.args(["test", "--locked", "--no-run", "--workspace"]);
    tools.set_env(&mut build)?;
    run_command(&mut build)?;
    if !busy {
        wait_until_quiet()?;
    }
    let mut test = cargo();
    test.args([
        "test",
        "--locked",
        "--workspace",
        "--test",
        "listing_output",
        "--test",
        "compile_errors",
        "--test",
        "readme",
    ]);
    test.env("BLESS", "1");
    if !only.is_empty() {
        test.env("BLESS_ONLY", only.join(","));
    }
    tools.set_env(&mut test)?;
    run_command(&mut test)?;
    println!("bless: output.txt files hold fresh runs; README.md's listing index is current");
    Ok(())
}

/// Waits for the one-minute load average to fall to half the cores or below (it decays
/// over about a minute after a build), and gives up after two minutes.
fn wait_until_quiet() -> Result<()> {
    const PATIENCE: Duration = Duration::from_secs(120);
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let started = Instant::now();
    let mut said = false;
    while let Some(load) = book_helpers::load_average()
        && book_helpers::measure::is_busy(load, cores)
    {
        if started.elapsed() > PATIENCE {
            bail!(
                "the machine is busy (load average {load:.1} on {cores} cores, above half of \
                 them, for two minutes): timings recorded now would measure the other programs \
                 as much as the listings. Wait until it is quiet, or pass --busy to record \
                 anyway (each timed output's header then says `busy`)"
            );
        }
        if !said {
            println!("bless: waiting for the load average ({load:.1}) to fall to {cores}/2");
            said = true;
        }
        std::thread::sleep(Duration::from_secs(5));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{TestCounts, disk_usage};

    #[test]
    fn disk_usage_counts_files_below_a_folder_once() {
        let dir = std::env::temp_dir().join(format!("xtask-du-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("deps")).unwrap();
        std::fs::write(dir.join("deps/a"), vec![1u8; 40_000]).unwrap();
        std::fs::write(dir.join("b"), vec![1u8; 10_000]).unwrap();
        // Cargo hard-links each program from deps/ to the profile folder: one copy on disk.
        std::fs::hard_link(dir.join("deps/a"), dir.join("a")).unwrap();
        let bytes = disk_usage(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!((50_000..=60_000).contains(&bytes), "{bytes} bytes");
        assert_eq!(
            disk_usage(&dir).unwrap(),
            0,
            "a missing folder takes nothing"
        );
    }

    #[test]
    fn sums_libtest_summaries() {
        let mut counts = TestCounts::default();
        counts.add_summary_line(
            "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s",
        );
        counts.add_summary_line("test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured");
        counts.add_summary_line("running 4 tests");
        assert_eq!((counts.passed, counts.failed, counts.ignored), (15, 2, 1));
    }
}
