//! The listings as one download, for a reader who wants the code without the book's
//! repository: `src/downloads/listings.tar.gz` (git-ignored; mdBook copies it into the
//! site, where "Running the listings" links to it).
//!
//! It holds every listing, the kernels they load, the exercises, and a workspace of their
//! own: the book's `Cargo.toml` with only those members, its `Cargo.lock`, and the
//! `cargo exercise` alias. Inside the unpacked folder, `cargo run -p <listing>` and
//! `cargo test` work as they do in the repository (the book's tests check it).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{newest_modification, run_command};

/// Where the pages link to it, relative to the workspace root.
pub const ARCHIVE: &str = "src/downloads/listings.tar.gz";
/// The folder the archive unpacks into.
const FOLDER: &str = "concurrency-is-structure-listings";
/// What it copies from the repository, as it is.
const COPIED: [&str; 4] = ["listings", "kernels", "exercises", "Cargo.lock"];

/// Writes the archive when anything it holds changed since it was last written.
pub fn write(root: &Path) -> Result<()> {
    let archive = root.join(ARCHIVE);
    let mut sources: Vec<PathBuf> = COPIED.iter().map(|path| root.join(path)).collect();
    sources.push(root.join("Cargo.toml"));
    sources.push(root.join(".cargo").join("config.toml"));
    sources.push(root.join("xtask").join("src").join("archive.rs"));
    let newest = newest_modification(&sources)?;
    let written = std::fs::metadata(&archive).and_then(|meta| meta.modified());
    if written.is_ok_and(|written| written >= newest) {
        println!("archive: {ARCHIVE}: up to date");
        return Ok(());
    }
    let staging = root.join("target").join("archive");
    if staging.exists() {
        std::fs::remove_dir_all(&staging)
            .with_context(|| format!("cannot clear {}", staging.display()))?;
    }
    let folder = staging.join(FOLDER);
    std::fs::create_dir_all(folder.join(".cargo"))?;
    for path in COPIED {
        run_command(
            Command::new("cp")
                .arg("-r")
                .arg(root.join(path))
                .arg(&folder),
        )?;
    }
    let manifest = std::fs::read_to_string(root.join("Cargo.toml"))?;
    std::fs::write(folder.join("Cargo.toml"), own_workspace(&manifest)?)?;
    let config = std::fs::read_to_string(root.join(".cargo").join("config.toml"))?;
    std::fs::write(
        folder.join(".cargo").join("config.toml"),
        without_xtask(&config),
    )?;
    std::fs::write(folder.join("README.md"), README)?;
    if let Some(parent) = archive.parent() {
        std::fs::create_dir_all(parent)?;
    }
    run_command(
        Command::new("tar")
            .arg("--create")
            .arg("--gzip")
            .arg("--file")
            .arg(&archive)
            .arg("--directory")
            .arg(&staging)
            .arg(FOLDER),
    )?;
    std::fs::remove_dir_all(&staging)?;
    let size = std::fs::metadata(&archive)?.len();
    println!("archive: wrote {ARCHIVE} ({} KiB)", size / 1024);
    Ok(())
}

/// The book's workspace manifest with only the members the archive holds.
fn own_workspace(manifest: &str) -> Result<String> {
    const MEMBERS: &str = "members = [\"xtask\", \"tests\", \"listings/*\", \"exercises\"]";
    if !manifest.contains(MEMBERS) {
        bail!(
            "Cargo.toml's members are not `{MEMBERS}`; update xtask/src/archive.rs to \
             match, so the archive's workspace holds the listings and exercises only"
        );
    }
    Ok(manifest.replace(MEMBERS, "members = [\"listings/*\", \"exercises\"]"))
}

/// The cargo configuration without the alias for `cargo xtask`, which is not in the
/// archive.
fn without_xtask(config: &str) -> String {
    config
        .lines()
        .filter(|line| !line.starts_with("xtask ="))
        .map(|line| format!("{line}\n"))
        .collect()
}

const README: &str = "\
# Listings of *Concurrency is structure, parallelism is execution*

Every program of the book, one crate per listing, in a Cargo workspace of their own.

    cargo run -p ch01-counting-primes -- --help
    cargo test -p ch09-channels
    cargo exercise ch05

Each listing's `output.txt` holds the run the book shows, its command line first.
Listings that need something your machine may lack (a GPU, Open MPI, a broker,
ZeroMQ, protoc) say what is missing and how to get it when you run them.
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_keeps_the_listings_and_exercises_only() {
        let manifest = std::fs::read_to_string(crate::workspace_root().join("Cargo.toml"))
            .expect("the book's manifest");
        let own = own_workspace(&manifest).expect("the members line is known");
        assert!(own.contains("members = [\"listings/*\", \"exercises\"]"));
        assert!(!own.contains("\"xtask\"") && !own.contains("\"tests\""));
        assert!(own_workspace("[workspace]\nmembers = [\"a\"]\n").is_err());
    }

    #[test]
    fn the_alias_for_xtask_goes_and_the_others_stay() {
        let config = "[alias]\nxtask = \"run --package xtask --quiet --\"\nexercise = \"test\"\n";
        assert_eq!(without_xtask(config), "[alias]\nexercise = \"test\"\n");
    }
}
