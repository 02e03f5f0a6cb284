//! `cargo xtask mutants LISTING...`: mutation testing of listings' libraries with the
//! pinned cargo-mutants. Each mutant is a plausible bug planted in the library's code (an
//! operator flipped, a function body replaced by a default value); the listing's tests
//! should fail on every one. Survivors (`missed`) are tests that assert less than the
//! chapter claims. Not part of `cargo xtask test`: each mutant is an optimised rebuild and
//! a test run, hours for the whole book on two cores. A mutant that no test can catch
//! because the mutated program gives the listing's results (a bound that only limits
//! work, say) is excluded by name in `.cargo/mutants.toml`, with why.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread;

use anyhow::{Context, Result, bail};

use crate::setup::Tools;
use crate::{book_metadata, describe, string_list};

/// The library code of a listing is mutated; its program (`main.rs`) is argument
/// handling and printing, which the chapters do not show as logic.
const EXCLUDED: &str = "**/main.rs";

pub fn run(
    tools: &Tools,
    root: &Path,
    listings: &[String],
    survivors: bool,
    jobs: usize,
) -> Result<()> {
    if listings.is_empty() {
        bail!(
            "name the listings to mutate, for example `cargo xtask mutants ch04-parallel-prefix-sum`: \
             every listing's library at once takes hours on two cores"
        );
    }
    for listing in listings {
        if !root
            .join("listings")
            .join(listing)
            .join("Cargo.toml")
            .is_file()
        {
            bail!("`{listing}` is not a listing (a folder under listings/)");
        }
    }
    tools.ensure_mutation_tool()?;
    // Listings are taken from one queue by `jobs` workers. Each worker has a build folder
    // of its own, kept between runs: cargo-mutants copies the source tree to a fresh
    // temporary folder each time, and a target folder of its own there would build every
    // dependency from cold again, listing after listing. Two workers suit two cores: a
    // mutant's tests spend much of their time waiting (on sockets, on a timeout), while
    // the other worker compiles.
    let queue = Mutex::new(listings.iter());
    let results: Vec<Result<()>> = thread::scope(|scope| {
        let workers: Vec<_> = (0..jobs)
            .map(|worker| {
                let queue = &queue;
                let build = build_folder(root, worker);
                scope.spawn(move || -> Result<()> {
                    loop {
                        let next = queue.lock().expect("no worker panics holding it").next();
                        let Some(listing) = next else { return Ok(()) };
                        mutate(tools, root, listing, survivors, &build, jobs > 1)?;
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("a worker thread panicked"))
            .collect()
    });
    results.into_iter().collect()
}

/// Worker 0 keeps the folder earlier runs used; each further worker has a numbered one.
fn build_folder(root: &Path, worker: usize) -> PathBuf {
    let name = match worker {
        0 => "mutants-build".to_string(),
        n => format!("mutants-build-{}", n + 1),
    };
    root.join("target").join(name)
}

/// One listing's run (all its mutants, or the survivors of its last full run), then its
/// counts. With `quiet`, cargo-mutants' progress goes to `console.txt` in the report
/// folder instead of interleaving with another worker's.
fn mutate(
    tools: &Tools,
    root: &Path,
    listing: &str,
    survivors: bool,
    build: &Path,
    quiet: bool,
) -> Result<()> {
    let full_run = root.join("target").join("mutants").join(listing);
    let (output, only) = if survivors {
        let missed = full_run.join("mutants.out").join("missed.txt");
        let names = std::fs::read_to_string(&missed).with_context(|| {
            format!(
                "no {}: run `cargo xtask mutants {listing}` first",
                missed.display()
            )
        })?;
        let only = survivor_filters(&names);
        if only.is_empty() {
            println!("mutants: {listing}: its last full run missed none");
            return Ok(());
        }
        (
            root.join("target").join("mutants-survivors").join(listing),
            only,
        )
    } else {
        (full_run, Vec::new())
    };
    std::fs::create_dir_all(&output)
        .with_context(|| format!("cannot create {}", output.display()))?;
    let manifest_path = root.join("listings").join(listing).join("Cargo.toml");
    let manifest = std::fs::read_to_string(&manifest_path)
        .with_context(|| format!("cannot read {}", manifest_path.display()))?;
    let features =
        features(&manifest).with_context(|| format!("in {}", manifest_path.display()))?;
    let mut mutants = tools.command("cargo");
    mutants
        .args(arguments(listing, &features))
        .args(only)
        .arg("--output")
        .arg(&output)
        .env("CARGO_TARGET_DIR", build);
    if quiet {
        let console = output.join("console.txt");
        let file = File::create(&console)
            .with_context(|| format!("cannot create {}", console.display()))?;
        mutants.stderr(file.try_clone()?).stdout(file);
        println!(
            "mutants: {listing} (report in {}, progress in {})",
            output.display(),
            console.display()
        );
    } else {
        println!("mutants: {listing} (report in {})", output.display());
    }
    let status = mutants
        .status()
        .with_context(|| format!("cannot start {}", describe(&mutants)))?;
    // cargo-mutants exits 2 when a mutant survived and 3 when one timed out: findings,
    // which the counts below report. Anything else non-zero is a failure to run.
    if !matches!(status.code(), Some(0 | 2 | 3)) {
        bail!("{} failed ({status})", describe(&mutants));
    }
    for outcome in ["caught", "missed", "timeout", "unviable"] {
        let list = output.join("mutants.out").join(format!("{outcome}.txt"));
        let count = std::fs::read_to_string(&list)
            .map(|text| text.lines().filter(|line| !line.is_empty()).count())
            .unwrap_or(0);
        println!("mutants: {listing}: {outcome} {count}");
    }
    Ok(())
}

/// One `--re` filter per mutant named in a `missed.txt`, matching its whole name but for
/// the line and column, which move when the tests' fixes touch the code above it.
fn survivor_filters(missed: &str) -> Vec<String> {
    missed
        .lines()
        .filter(|name| !name.is_empty())
        .flat_map(|name| {
            let pattern = match name.splitn(4, ':').collect::<Vec<_>>()[..] {
                [file, line, column, what]
                    if [line, column].iter().all(|n| n.parse::<u32>().is_ok()) =>
                {
                    format!(
                        "^{}:\\d+:\\d+:{}$",
                        regex_syntax::escape(file),
                        regex_syntax::escape(what)
                    )
                }
                _ => format!("^{}$", regex_syntax::escape(name)),
            };
            ["--re".to_string(), pattern]
        })
        .collect()
}

/// The features a listing's mutation run turns on: `[package.metadata.book.mutants]
/// features` in its manifest. Code behind a feature that only other listings enable
/// (scheduler-stepper's loom comparisons, which chapters 3 to 8 use) is otherwise never
/// compiled by the listing's own tests, and every mutant of it would pass.
fn features(manifest: &str) -> Result<Vec<String>> {
    let manifest: toml::Table = toml::from_str(manifest)?;
    let Some(features) = book_metadata(&manifest, "mutants").and_then(|m| m.get("features")) else {
        return Ok(Vec::new());
    };
    string_list(features)
        .context("[package.metadata.book.mutants] features must be a list of feature names")
}

/// The cargo-mutants command line for one listing.
fn arguments(listing: &str, features: &[String]) -> Vec<String> {
    let mut arguments: Vec<String> = [
        "mutants",
        // A copy of the tree without what .gitignore names (target/, book/), built
        // on its own, so the checkout stays untouched while mutants are in it.
        "--gitignore=true",
        "--package",
        listing,
        // Only the mutated listing's own tests are run against each mutant.
        "--test-workspace=false",
        "--exclude",
        EXCLUDED,
        // A busy two-core machine: a test run may take three times the baseline's.
        "--timeout-multiplier",
        "3",
        "--no-shuffle",
    ]
    .map(str::to_string)
    .to_vec();
    if !features.is_empty() {
        arguments.extend(["--features".to_string(), features.join(",")]);
    }
    arguments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_listing_is_mutated_and_tested_alone() {
        let args = arguments("ch04-parallel-prefix-sum", &[]);
        let after = |flag: &str| {
            args.iter()
                .position(|arg| arg == flag)
                .map(|i| args[i + 1].as_str())
        };
        assert_eq!(after("--package"), Some("ch04-parallel-prefix-sum"));
        assert_eq!(after("--exclude"), Some(EXCLUDED));
        assert!(args.contains(&"--test-workspace=false".to_string()));
        assert!(!args.contains(&"--features".to_string()));
    }

    #[test]
    fn features_the_manifest_names_are_turned_on() {
        let manifest = "[package]\nname = \"s\"\n\n\
                        [package.metadata.book.mutants]\nfeatures = [\"loom\", \"extra\"]\n";
        let named = features(manifest).unwrap();
        assert_eq!(named, ["loom", "extra"]);
        let args = arguments("s", &named);
        let at = args.iter().position(|arg| arg == "--features").unwrap();
        assert_eq!(args[at + 1], "loom,extra");
        assert!(features("[package]\nname = \"s\"\n").unwrap().is_empty());
        let wrong = "[package.metadata.book.mutants]\nfeatures = \"loom\"\n";
        assert!(features(wrong).is_err());
    }

    #[test]
    fn each_worker_builds_in_a_folder_of_its_own() {
        let root = Path::new("/book");
        let folders: Vec<_> = (0..3).map(|worker| build_folder(root, worker)).collect();
        assert_eq!(folders[0], root.join("target/mutants-build"));
        assert_eq!(folders[1], root.join("target/mutants-build-2"));
        assert_eq!(folders[2], root.join("target/mutants-build-3"));
    }

    #[test]
    fn each_survivor_is_matched_by_its_name_wherever_it_moved() {
        let filters = survivor_filters(
            "src/lib.rs:105:52: replace % with + in blocked_scan\n\nsrc/lib.rs:9:1: replace f -> u8 with 0\n",
        );
        assert_eq!(
            filters,
            [
                "--re",
                r"^src/lib\.rs:\d+:\d+: replace % with \+ in blocked_scan$",
                "--re",
                r"^src/lib\.rs:\d+:\d+: replace f \-> u8 with 0$",
            ]
        );
    }
}
