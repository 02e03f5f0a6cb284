//! The listings as one download (`src/downloads/listings.tar.gz`, written by
//! `cargo xtask build`, linked from "Running the listings"): unpacked on its own, it must
//! hold every listing and resolve as a workspace without the book, and a listing must build
//! and pass its tests inside it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use book_helpers::finishes_within;
use book_tests::{run_ok as run, workspace_root};

const ARCHIVE: &str = "src/downloads/listings.tar.gz";
const FOLDER: &str = "concurrency-is-structure-listings";
/// Unpacking, resolving, and building and testing one small listing from a warm cache.
const LIMIT: Duration = Duration::from_secs(600);

fn listing_folders(listings: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(listings)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", listings.display()))
        .filter_map(Result::ok)
        .filter(|entry| entry.path().join("Cargo.toml").is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn the_listings_archive_unpacks_into_a_workspace_that_builds_and_tests_on_its_own() {
    let root = workspace_root();
    let archive = root.join(ARCHIVE);
    assert!(
        archive.is_file(),
        "{ARCHIVE} is missing: `cargo xtask build` writes it (and `cargo xtask test` runs that)"
    );
    let scratch =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("download-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).expect("a scratch folder");
    let unpacked = scratch.join(FOLDER);
    let target = root.join("target").join("download-check");
    finishes_within(LIMIT, move || {
        run(Command::new("tar")
            .arg("--extract")
            .arg("--file")
            .arg(&archive)
            .arg("--directory")
            .arg(&scratch));
        // Every listing of the book, and nothing of the book's own tooling.
        assert_eq!(
            listing_folders(&unpacked.join("listings")),
            listing_folders(&root.join("listings")),
            "the archive's listings differ from the repository's"
        );
        for absent in ["xtask", "tests", "src", "book.toml"] {
            assert!(
                !unpacked.join(absent).exists(),
                "the archive should not hold the book's {absent}"
            );
        }
        // A workspace of its own: cargo resolves it from the archive's lock file alone.
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut metadata = Command::new(&cargo);
        book_helpers::without_package_env(&mut metadata);
        let metadata = run(metadata.current_dir(&unpacked).args([
            "metadata",
            "--offline",
            "--format-version",
            "1",
        ]));
        let metadata: serde_json::Value =
            serde_json::from_slice(&metadata.stdout).expect("cargo metadata prints JSON");
        let root_dir = metadata["workspace_root"].as_str().unwrap_or_default();
        assert!(
            Path::new(root_dir).ends_with(FOLDER),
            "cargo found the workspace at {root_dir}, not in the unpacked folder"
        );
        let members = metadata["workspace_members"].as_array().map_or(0, Vec::len);
        assert_eq!(
            members,
            listing_folders(&root.join("listings")).len() + 1,
            "every listing and the exercises are members"
        );
        // A listing builds and passes its tests there, with the workspace's settings.
        let mut test = Command::new(&cargo);
        book_helpers::without_package_env(&mut test);
        run(test
            .current_dir(&unpacked)
            .env("CARGO_TARGET_DIR", &target)
            .args(["test", "--offline", "-p", "ch01-counting-primes"]));
        let _ = std::fs::remove_dir_all(&scratch);
    });
}
