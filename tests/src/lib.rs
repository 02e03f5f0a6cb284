//! Support for the book's own tests: where things are, what the chapters contain,
//! and how a listing is run. The tests themselves live in `tests/tests/`.

pub mod browser;
pub mod chapters;
pub mod figures;
pub mod listings;
pub mod quiz;
pub mod site;

use std::path::{Path, PathBuf};

/// The repository root (this crate lives in `tests/`).
pub fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is inside the workspace")
}

/// The book's Markdown sources.
pub fn src_dir() -> PathBuf {
    workspace_root().join("src")
}

/// Every chapter file with its text.
pub fn read_chapters() -> Vec<(PathBuf, String)> {
    chapters::markdown_files(&src_dir())
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
            (path, text)
        })
        .collect()
}

/// Every `.rs` file under `dir`, at any depth (none if `dir` does not exist).
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
    found
}

/// A path relative to the repository root, for messages.
pub fn shown(path: &Path) -> String {
    path.strip_prefix(workspace_root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Runs `command` to the end and returns its output; a failure to start or a non-zero exit
/// panics with the command and everything it printed.
pub fn run_ok(command: &mut std::process::Command) -> std::process::Output {
    let shown = format!("{command:?}");
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {shown}: {error}"));
    assert!(
        output.status.success(),
        "{shown} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}
