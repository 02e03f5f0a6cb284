//! `cargo xtask test`: every check the book has, in order, ending with one summary line.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::setup::Tools;
use crate::{build_book, cargo, describe, run_command};

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
        run_command(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    step("book build", &mut || build_book(tools, root))?;
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
    println!(
        "\nxtask test: ok: {} passed, {} failed, {} ignored; steps {} in {:.0} s",
        counts.passed,
        counts.failed,
        counts.ignored,
        done.join(", "),
        started.elapsed().as_secs_f64()
    );
    Ok(())
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

/// Runs a `cargo test` command, echoing its output and adding up the libtest summaries.
fn run_counting_tests(command: &mut Command) -> Result<TestCounts> {
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
    let status = child.wait()?;
    if !status.success() || counts.failed > 0 {
        bail!(
            "{} failed ({status}): {} tests failed",
            describe(command),
            counts.failed
        );
    }
    Ok(counts)
}

/// Rewrites every listing's `output.txt` and the README's listing index by running
/// the tests that check them in bless mode.
pub fn bless(tools: &Tools) -> Result<()> {
    let mut test = cargo();
    test.args([
        "test",
        "--locked",
        "-p",
        "book-tests",
        "--test",
        "listing_output",
        "--test",
        "readme",
    ]);
    test.env("BLESS", "1");
    tools.set_env(&mut test)?;
    run_command(&mut test)?;
    println!("bless: output.txt files hold fresh runs; README.md's listing index is current");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::TestCounts;

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
