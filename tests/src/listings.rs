//! The listing crates: what the workspace says about them, how one is run, and how its
//! output is compared with the `output.txt` the book shows.
//!
//! A listing declares in its `Cargo.toml` how its shown output is produced and checked:
//!
//! ```toml
//! [package.metadata.book]
//! output-args = ["--workers", "3"]      # arguments of the run that `output.txt` shows
//! output-invariants = "tests/cli.rs"    # only when the output differs run to run:
//!                                       # the test file that checks what must hold instead
//! output-files = ["schedule.svg"]       # files the run writes into $BOOK_OUTPUT_DIR
//! untimed = "…"                         # only when the output prints durations that are
//!                                       # not measured (its own timeouts): why it has no
//!                                       # `machine:` line
//!
//! # What the chapter says of the run, as a figure and its bounds: checked on the
//! # committed output.txt by the tests, and on every new run by `cargo xtask bless`.
//! [[package.metadata.book.claims]]
//! claim = "two threads count the primes about twice as fast as one"
//! figure = '(?m)^ +2 .* ([0-9.]+)×$'    # one capture group: the figure
//! at-least = 1.6                        # and/or at-most
//! ```
//!
//! Files a chapter shows besides stdout (a recorded schedule, a plot) are written by the
//! same run into the folder named by the `BOOK_OUTPUT_DIR` environment variable: the
//! listing's own folder when blessing, a scratch folder when checking. Their content
//! depends on timing, so the check is that the run produces them; the listing's own tests
//! check their structure.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::LazyLock;

use regex::Regex;

use crate::workspace_root;

/// A crate under `listings/`.
#[derive(Debug, Clone)]
pub struct Listing {
    pub name: String,
    /// Cargo's id of the package, which names its artifacts in cargo's messages.
    pub package_id: String,
    /// The `description` of its Cargo.toml: one line on what it shows.
    pub description: String,
    pub dir: PathBuf,
    /// Binary targets; a listing without one is a library the others use.
    pub binaries: Vec<String>,
    pub output_args: Vec<String>,
    pub output_invariants: Option<String>,
    pub output_files: Vec<String>,
    /// Why an output that prints durations or rates measures none of them, so
    /// needs no `machine:` line; every other such output has one.
    pub untimed: Option<String>,
    /// What the chapter claims of the shown run, each checked on an output.
    pub claims: Vec<Claim>,
    /// What else legitimately differs between two of its runs, masked before
    /// a fresh run is compared with `output.txt`.
    pub masks: Vec<Mask>,
}

/// A part of one listing's output that differs from run to run for a reason
/// its manifest states (a count that depends on the scheduler, a figure in a
/// column without a unit): every capture group of the pattern (or the whole
/// match, without groups) is replaced by `[varies]`.
#[derive(Debug, Clone)]
pub struct Mask {
    pub pattern: Regex,
    pub why: String,
}

/// A string of a listing's `[package.metadata.book]` entry, or a panic that
/// names the listing, the kind of entry and the key.
fn manifest_text(listing: &str, entry: &str, value: &serde_json::Value, key: &str) -> String {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{listing}: a {entry} has no `{key}` string"))
        .to_string()
}

/// A regular expression of a listing's `[package.metadata.book]` entry.
fn manifest_pattern(listing: &str, entry: &str, value: &serde_json::Value, key: &str) -> Regex {
    let pattern = manifest_text(listing, entry, value, key);
    Regex::new(&pattern)
        .unwrap_or_else(|error| panic!("{listing}: {entry} pattern {pattern:?}: {error}"))
}

impl Mask {
    fn from_toml(listing: &str, value: &serde_json::Value) -> Mask {
        let why = manifest_text(listing, "mask", value, "why");
        let pattern = manifest_pattern(listing, "mask", value, "pattern");
        assert!(
            !why.trim().is_empty(),
            "{listing}: the mask {pattern} says no why"
        );
        Mask { pattern, why }
    }

    fn apply(&self, output: &str) -> String {
        self.pattern
            .replace_all(output, |found: &regex::Captures| {
                let whole = found.get(0).expect("the whole match");
                if found.len() == 1 {
                    return "[varies]".to_string();
                }
                let mut masked = String::new();
                let mut at = whole.start();
                for group in found.iter().skip(1).flatten() {
                    masked.push_str(&output[at..group.start()]);
                    masked.push_str("[varies]");
                    at = group.end();
                }
                masked.push_str(&output[at..whole.end()]);
                masked
            })
            .into_owned()
    }
}

/// A quantitative claim a chapter makes about a listing's run: a figure found in the
/// output by a pattern, and the bounds the chapter's sentence promises.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The chapter's sentence, in short; named when the claim fails.
    pub claim: String,
    /// A pattern with one capture group: the figure (a number; `,` and `_` allowed).
    pub figure: Regex,
    pub at_least: Option<f64>,
    pub at_most: Option<f64>,
}

impl Claim {
    fn from_toml(listing: &str, value: &serde_json::Value) -> Claim {
        let text = |key: &str| manifest_text(listing, "claim", value, key);
        let figure = manifest_pattern(listing, "claim", value, "figure");
        assert_eq!(
            figure.captures_len(),
            2,
            "{listing}: a claim's pattern captures exactly one figure: {figure}"
        );
        let claim = Claim {
            claim: text("claim"),
            figure,
            at_least: value["at-least"].as_f64(),
            at_most: value["at-most"].as_f64(),
        };
        assert!(
            claim.at_least.is_some() || claim.at_most.is_some(),
            "{listing}: the claim \"{}\" has neither `at-least` nor `at-most`",
            claim.claim
        );
        claim
    }

    /// The figure in `output`, if the claim holds of it; what is wrong otherwise.
    pub fn check(&self, output: &str) -> Result<f64, String> {
        let figures: Vec<&str> = self
            .figure
            .captures_iter(output)
            .filter_map(|found| found.get(1))
            .map(|figure| figure.as_str())
            .collect();
        let [figure] = figures[..] else {
            return Err(format!(
                "the claim \"{}\": its pattern `{}` matches {} figures in the output, not one",
                self.claim,
                self.figure,
                figures.len()
            ));
        };
        let value: f64 = figure
            .replace([',', '_'], "")
            .parse()
            .map_err(|_| format!("the claim \"{}\": `{figure}` is not a number", self.claim))?;
        let low = self.at_least.is_some_and(|least| value < least);
        let high = self.at_most.is_some_and(|most| value > most);
        if low || high {
            return Err(format!(
                "the claim \"{}\" does not hold: the figure is {value}, the claim needs {}",
                self.claim,
                self.bounds()
            ));
        }
        Ok(value)
    }

    fn bounds(&self) -> String {
        match (self.at_least, self.at_most) {
            (Some(least), Some(most)) => format!("{least} to {most}"),
            (Some(least), None) => format!("at least {least}"),
            (None, Some(most)) => format!("at most {most}"),
            (None, None) => "nothing".to_string(),
        }
    }
}

impl Listing {
    pub fn output_file(&self) -> PathBuf {
        self.dir.join("output.txt")
    }

    /// The output with what differs between two runs masked: the listing's
    /// own masks, then what [`normalise`] masks in every output.
    pub fn normalise(&self, output: &str) -> String {
        let masked = self
            .masks
            .iter()
            .fold(output.to_string(), |text, mask| mask.apply(&text));
        normalise(&masked)
    }

    /// The command a reader types to get the output the book shows.
    pub fn command_line(&self) -> String {
        let mut line = format!("$ cargo run -p {}", self.name);
        if !self.output_args.is_empty() {
            line.push_str(" -- ");
            line.push_str(&self.output_args.join(" "));
        }
        line
    }

    /// Runs the listing's program as `cargo run -p` would and returns what it printed on
    /// stdout; `output_dir` receives the files it declares in `output-files`.
    ///
    /// The program is the one the workspace's test build made (see [`workspace_programs`]),
    /// not a fresh `cargo run -p`: that would resolve the dependencies' features for this
    /// one listing and build tokio, wgpu or burn a second time beside the test build.
    pub fn run(&self, args: &[String], output_dir: &Path) -> Result<String, String> {
        let program = workspace_programs()?
            .get(&self.package_id)
            .ok_or_else(|| format!("{} has no program in the workspace build", self.name))?;
        let output = Command::new(program)
            .current_dir(workspace_root())
            .env("BOOK_OUTPUT_DIR", output_dir)
            .args(args)
            .output()
            .map_err(|error| format!("cannot start {}: {error}", program.display()))?;
        if !output.status.success() {
            return Err(format!(
                "`{}` failed ({}):\n{}",
                self.command_line(),
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let missing: Vec<&String> = self
            .output_files
            .iter()
            .filter(|file| std::fs::metadata(output_dir.join(file)).map_or(true, |m| m.len() == 0))
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "`{}` did not write {missing:?} into BOOK_OUTPUT_DIR",
                self.command_line()
            ));
        }
        String::from_utf8(output.stdout).map_err(|_| format!("{} printed non-UTF-8", self.name))
    }

    /// What `output.txt` should hold for a run's stdout: the command line, then the output.
    pub fn output_document(&self, stdout: &str) -> String {
        format!("{}\n{stdout}", self.command_line())
    }
}

/// Each listing's program (a listing has at most one binary), by package id, as built by
/// `cargo test --workspace`: the command `cargo xtask test` runs, so when it has run this
/// finds every program up to date, and `cargo xtask bless` builds exactly what the full
/// test run would.
fn workspace_programs() -> Result<&'static HashMap<String, PathBuf>, String> {
    static PROGRAMS: LazyLock<Result<HashMap<String, PathBuf>, String>> =
        LazyLock::new(build_workspace_programs);
    PROGRAMS.as_ref().map_err(Clone::clone)
}

fn build_workspace_programs() -> Result<HashMap<String, PathBuf>, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    // Cargo runs this test with variables that describe the book-tests package; the
    // nested cargo must see the environment `cargo xtask test` gave the outer one.
    book_helpers::without_package_env(&mut command);
    let mut child = command
        .current_dir(workspace_root())
        .args([
            "test",
            "--locked",
            "--no-run",
            "--message-format=json-render-diagnostics",
        ])
        // The whole workspace, as `cargo xtask test` builds it: building a few packages
        // with `-p` would resolve their dependencies' features differently and build
        // those again.
        .arg("--workspace")
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot start cargo: {error}"))?;
    let stdout = child.stdout.take().ok_or("cargo gave no stdout pipe")?;
    let mut programs = HashMap::new();
    // Cargo's JSON messages, read as plain JSON: the typed messages of `cargo_metadata`
    // 0.15 do not know edition 2024 and would pass the listings' artifacts by.
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|error| format!("reading cargo's messages: {error}"))?;
        let Ok(message) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        let is_program = message["reason"] == "compiler-artifact"
            && message["profile"]["test"] == false
            && message["target"]["kind"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|kind| kind == "bin"));
        if let (true, Some(package), Some(executable)) = (
            is_program,
            message["package_id"].as_str(),
            message["executable"].as_str(),
        ) {
            programs.insert(package.to_string(), PathBuf::from(executable));
        }
    }
    let status = child
        .wait()
        .map_err(|error| format!("waiting for cargo: {error}"))?;
    if !status.success() {
        return Err(format!(
            "`cargo test --workspace --no-run` failed ({status})"
        ));
    }
    Ok(programs)
}

/// Every crate under `listings/`, from `cargo metadata`.
pub fn listings() -> Vec<Listing> {
    static LISTINGS: LazyLock<Vec<Listing>> = LazyLock::new(load_listings);
    LISTINGS.clone()
}

fn load_listings() -> Vec<Listing> {
    let metadata = cargo_metadata::MetadataCommand::new()
        .current_dir(workspace_root())
        .no_deps()
        .exec()
        .unwrap_or_else(|error| panic!("cargo metadata failed: {error}"));
    let listings_dir = workspace_root().join("listings");
    let mut listings: Vec<Listing> = metadata
        .packages
        .iter()
        .filter_map(|package| {
            let dir = package.manifest_path.parent()?.as_std_path().to_path_buf();
            if dir.parent() != Some(listings_dir.as_path()) {
                return None;
            }
            let book = &package.metadata["book"];
            let strings = |key: &str| -> Vec<String> {
                book[key]
                    .as_array()
                    .map(|items| {
                        items
                            .iter()
                            .map(|item| item.as_str().expect("book metadata lists hold strings"))
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let output_args = strings("output-args");
            let output_files = strings("output-files");
            Some(Listing {
                name: package.name.clone(),
                package_id: package.id.repr.clone(),
                description: package.description.clone().unwrap_or_default(),
                dir,
                binaries: package
                    .targets
                    .iter()
                    .filter(|target| target.kind.iter().any(|kind| kind == "bin"))
                    .map(|target| target.name.clone())
                    .collect(),
                output_args,
                output_invariants: book["output-invariants"].as_str().map(str::to_string),
                output_files,
                untimed: book["untimed"].as_str().map(str::to_string),
                masks: book["masks"]
                    .as_array()
                    .map(|masks| {
                        masks
                            .iter()
                            .map(|mask| Mask::from_toml(&package.name, mask))
                            .collect()
                    })
                    .unwrap_or_default(),
                claims: book["claims"]
                    .as_array()
                    .map(|claims| {
                        claims
                            .iter()
                            .map(|claim| Claim::from_toml(&package.name, claim))
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect();
    listings.sort_by(|a, b| a.name.cmp(&b.name));
    listings
}

/// Masks what legitimately differs between two runs of a listing: durations and
/// speedups in the formats `book-helpers` prints, the repository's own path, and the
/// column padding around them (a table pads `9.8 ms` one space more than `10.2 ms`).
/// Measurements printed next to them are masked too: percentages (efficiencies), the
/// load average a listing reports as `load 2.3`, the core count as `2 cores`, and the
/// `machine:` header line of a timed run.
pub fn normalise(output: &str) -> String {
    static DURATION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b\d+(\.\d+)? (ns|µs|ms|s)\b").expect("valid duration pattern")
    });
    static SPEEDUP: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b\d+\.\d\d×").expect("valid speedup pattern"));
    static PADDING: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[ \t]+").expect("valid padding pattern"));
    static PERCENT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b\d+(\.\d+)?%").expect("valid percentage pattern"));
    static LOAD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\bload \d+(\.\d+)?\b").expect("valid load pattern"));
    static CORES: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b\d+ cores\b").expect("valid core count pattern"));
    // The header `book_helpers::measure::Machine` prints: the processor, its cores and
    // the load at both ends of the run, every part of it the machine's and the moment's.
    static MACHINE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^machine: .*$").expect("valid machine header pattern"));
    // Rates and sizes a run measures; the unit stays, so a changed unit or
    // label still shows.
    static RATE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\b\d+(\.\d+)? (GB/s|GiB/s|MB/s|GFLOP/s|Mpixel/s|req/s|MiB|KiB|GiB|bytes each)\b",
        )
        .expect("valid rate pattern")
    });
    // A port the system chose, and the load average however a listing words it.
    static PORT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"127\.0\.0\.1:\d+").expect("valid port pattern"));
    static LOAD_AVERAGE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"load average([a-z ]*):? \d+(\.\d+)?").expect("valid load average pattern")
    });
    let root = workspace_root().display().to_string();
    let output = output.replace(&root, "[root]");
    let output = DURATION.replace_all(&output, "[duration]");
    let output = SPEEDUP.replace_all(&output, "[speedup]");
    let output = PERCENT.replace_all(&output, "[percent]");
    let output = RATE.replace_all(&output, "[measured] $2");
    let output = PORT.replace_all(&output, "127.0.0.1:[port]");
    let output = LOAD_AVERAGE.replace_all(&output, "load average$1 [load]");
    let output = LOAD.replace_all(&output, "load [load]");
    let output = MACHINE.replace_all(&output, "machine: [machine]");
    let output = CORES.replace_all(&output, "[n] cores");
    PADDING.replace_all(&output, " ").into_owned()
}

/// The README's listing index: each listing with the first chapter (in reading order)
/// that shows it, its command and its description.
pub fn index_markdown() -> String {
    let mut rows = vec![
        "| Chapter | Listing | What it shows |".to_string(),
        "|---|---|---|".to_string(),
    ];
    // Each chapter is read once: the files it includes, in reading order.
    let chapters: Vec<(PathBuf, String, Vec<PathBuf>)> = chapters_in_reading_order()
        .into_iter()
        .map(|(path, title)| {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let targets = crate::chapters::Include::targets_of(&path, &text);
            (path, title, targets)
        })
        .collect();
    for listing in listings() {
        let chapter = chapters
            .iter()
            .find(|(_, _, targets)| {
                targets
                    .iter()
                    .any(|target| target.starts_with(&listing.dir))
            })
            .map(|(path, title, _)| {
                let link = path.strip_prefix(workspace_root()).unwrap_or(path);
                format!("[{title}]({})", link.display())
            })
            .unwrap_or_else(|| "(not shown yet)".to_string());
        let how = if listing.binaries.is_empty() {
            format!(
                "`{}` (library; `cargo test -p {}`)",
                listing.name, listing.name
            )
        } else {
            format!("`cargo run -p {}`", listing.name)
        };
        rows.push(format!("| {chapter} | {how} | {} |", listing.description));
    }
    rows.join("\n") + "\n"
}

/// `(file, title)` of every written chapter, in the order of `src/SUMMARY.md`.
pub fn chapters_in_reading_order() -> Vec<(PathBuf, String)> {
    static LINK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\[([^\]]+)\]\(([^)]+\.md)\)").expect("valid link pattern"));
    let src = crate::src_dir();
    let summary = std::fs::read_to_string(src.join("SUMMARY.md")).unwrap_or_default();
    LINK.captures_iter(&summary)
        .map(|link| (src.join(&link[2]), link[1].to_string()))
        .collect()
}

/// Whether a file path lies inside a listing's folder.
pub fn listing_of(path: &Path) -> Option<Listing> {
    listings()
        .into_iter()
        .find(|listing| path.starts_with(&listing.dir))
}

#[cfg(test)]
mod tests {
    use super::{Claim, Mask, normalise};

    fn claim(figure: &str, at_least: Option<f64>, at_most: Option<f64>) -> Claim {
        let mut toml =
            serde_json::json!({"claim": "two threads, about twice one", "figure": figure});
        if let Some(least) = at_least {
            toml["at-least"] = least.into();
        }
        if let Some(most) = at_most {
            toml["at-most"] = most.into();
        }
        Claim::from_toml("a-listing", &toml)
    }

    #[test]
    fn a_claim_reads_its_figure_and_checks_its_bounds() {
        let run = "threads  time  speedup\n  1  263 ms  0.99×\n  2  133 ms  1.97×\n";
        let twice = claim(r"(?m)^ +2 .* ([0-9.]+)×$", Some(1.6), None);
        assert_eq!(twice.check(run), Ok(1.97));
        let slower = run.replace("1.97×", "1.21×");
        let error = twice.check(&slower).unwrap_err();
        assert!(
            error.contains("does not hold: the figure is 1.21"),
            "{error}"
        );
        assert!(error.contains("at least 1.6"), "{error}");
        let at_most = claim(r"queued ([0-9,]+)", None, Some(16.0));
        assert_eq!(at_most.check("queued 12"), Ok(12.0));
        assert!(at_most.check("queued 1,024").is_err());
    }

    #[test]
    fn a_claim_whose_figure_is_missing_or_repeated_fails() {
        let twice = claim(r"(?m)^ +2 .* ([0-9.]+)×$", Some(1.6), None);
        assert!(
            twice
                .check("nothing here\n")
                .unwrap_err()
                .contains("matches 0 figures")
        );
        let both = "  2 a 1.9×\n  2 b 1.8×\n";
        assert!(twice.check(both).unwrap_err().contains("matches 2 figures"));
    }

    #[test]
    fn normalise_masks_durations_and_speedups_only() {
        let run = "sequential: 301 ms\nthreads:    101 ms (2.98× faster)\n3 tasks, 12.5 s budget\n";
        assert_eq!(
            normalise(run),
            "sequential: [duration]\nthreads: [duration] ([speedup] faster)\n3 tasks, [duration] budget\n"
        );
        assert_eq!(normalise("  1    9.8 ms\n"), normalise("  1   10.2 ms\n"));
        assert_eq!(normalise("sum = 4950\n"), "sum = 4950\n");
    }

    #[test]
    fn normalise_masks_percentages_load_and_cores() {
        let run = "1000 elements (2 cores, load 5.5)\nrow  1.18×   59%  yes\n";
        assert_eq!(
            normalise(run),
            "1000 elements ([n] cores, load [load])\nrow [speedup] [percent] yes\n"
        );
        assert_eq!(
            normalise("  2   7%\n"),
            normalise("  2 100%\n"),
            "an efficiency's width is padding"
        );
        assert_eq!(
            normalise("loaded 3 items, 4 cores.\n"),
            "loaded 3 items, [n] cores.\n"
        );
    }

    #[test]
    fn normalise_masks_rates_sizes_ports_and_load_averages() {
        assert_eq!(
            normalise("copy: 43.3 GB/s, 23.8 GFLOP/s; + 3.3 MiB, 349 bytes each\n"),
            "copy: [measured] GB/s, [measured] GFLOP/s; + [measured] MiB, [measured] bytes each\n"
        );
        assert_eq!(
            normalise("at tcp://127.0.0.1:36395 (load average before the run: 8.4)\n"),
            "at tcp://127.0.0.1:[port] (load average before the run [load])\n"
        );
        assert_ne!(normalise("43.3 GB/s\n"), normalise("43.3 MB/s\n"));
    }

    #[test]
    fn a_listings_masks_replace_their_groups() {
        let mask = Mask::from_toml(
            "a-listing",
            &serde_json::json!({"pattern": r"missed in (\d+) of (\d+)", "why": "the scheduler"}),
        );
        assert_eq!(
            mask.apply("both missed in 80 of 100000 rounds"),
            "both missed in [varies] of [varies] rounds"
        );
        let whole = Mask::from_toml(
            "a-listing",
            &serde_json::json!({"pattern": r"pthread-\S+", "why": "w"}),
        );
        assert_eq!(whole.apply("on pthread-haswell-AMD"), "on [varies]");
    }

    #[test]
    fn normalise_masks_the_machine_header() {
        assert_eq!(
            normalise("machine: AMD EPYC (2 cores), load 0.3 at start, load 1.2 at end\n"),
            normalise("machine: Intel(R) Xeon(R) (16 cores), load 9.0 at start, load 8.5 at end\n"),
        );
        assert_eq!(
            normalise("machine: AMD EPYC (2 cores), load 0.3 at start, load 1.2 at end, busy\n"),
            "machine: [machine]\n"
        );
        assert_eq!(normalise("a machine: x (y)\n"), "a machine: x (y)\n");
    }
}
