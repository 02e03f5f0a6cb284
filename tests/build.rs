//! Hands the chapters' inline Rust snippets to skeptic, which turns each into a test that
//! compiles it (and runs it unless `no_run`) against this crate's dev-dependencies.
//! Blocks that are includes of listing files, `compile_fail` or `ignore` blocks are
//! blanked out first; `tests/snippets.rs` proves each of those is covered another way.

// The tests use more of this module than the build script does.
#[allow(dead_code)]
#[path = "src/chapters.rs"]
mod chapters;

use std::path::{Path, PathBuf};

fn main() {
    let manifest_dir =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let src_dir = manifest_dir.join("../src");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    let view_dir = out_dir.join("chapters");
    // Everything under src/ except `quiz/`, which mdbook-quiz rewrites on every book build:
    // watching it would rerun this script (and rebuild the snippet tests) after each build.
    for entry in std::fs::read_dir(&src_dir)
        .expect("src/ is readable")
        .flatten()
    {
        if entry.file_name() != "quiz" {
            println!("cargo:rerun-if-changed={}", entry.path().display());
        }
    }

    let mut views = Vec::new();
    for chapter in chapters::markdown_files(&src_dir) {
        println!("cargo:rerun-if-changed={}", chapter.display());
        let markdown = std::fs::read_to_string(&chapter).expect("chapter is readable UTF-8");
        let relative = chapter.strip_prefix(&src_dir).expect("found under src/");
        let view = view_dir.join(relative);
        write_if_changed(&view, &chapters::skeptic_view(&markdown), &chapter);
        views.push(view);
    }
    skeptic::generate_doc_tests(&views);
}

/// Keeps timestamps of unchanged views, so skeptic does not regenerate tests needlessly.
///
/// A view that is written takes its chapter's modification time. skeptic tells cargo to
/// rerun this script when a view changes, and cargo compares with the moment the script
/// started: a view stamped with the time it was written would look changed to the next
/// cargo run, which would run this script and rebuild every snippet test once more.
fn write_if_changed(path: &Path, contents: &str, chapter: &Path) {
    if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return;
    }
    std::fs::create_dir_all(path.parent().expect("has a parent"))
        .expect("can create OUT_DIR folders");
    std::fs::write(path, contents).expect("can write into OUT_DIR");
    let modified = std::fs::metadata(chapter)
        .and_then(|metadata| metadata.modified())
        .expect("the chapter was just read");
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|view| view.set_modified(modified))
        .expect("can set the time of a view in OUT_DIR");
}
