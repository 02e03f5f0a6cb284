//! The chapters and the listings agree: every include resolves to a real file and anchor,
//! and every listing crate is shown by some chapter and has tests of its own.

use std::path::Path;

use book_tests::chapters::{Include, Selection, includes_in};
use book_tests::listings::listings;
use book_tests::shown;

#[test]
fn every_include_resolves_and_every_anchor_exists() {
    let mut problems = Vec::new();
    let mut count = 0;
    for (chapter, text) in book_tests::read_chapters() {
        let dir = chapter.parent().expect("chapters live in src/");
        for include in includes_in(&text) {
            count += 1;
            let place = format!(
                "{}: {{{{#{} {}}}}}",
                shown(&chapter),
                include.directive,
                include.path
            );
            let target = dir.join(&include.path);
            let Ok(content) = std::fs::read_to_string(&target) else {
                problems.push(format!("{place}: no such file"));
                continue;
            };
            match include.selection {
                Selection::Whole => {}
                Selection::Lines(lines) => problems.push(format!(
                    "{place}: selects lines {lines}; use an anchor so edits cannot shift it"
                )),
                Selection::Anchor(anchor) => {
                    let starts = content
                        .lines()
                        .filter(|l| is_marker(l, "ANCHOR", &anchor))
                        .count();
                    let ends = content
                        .lines()
                        .filter(|l| is_marker(l, "ANCHOR_END", &anchor))
                        .count();
                    if starts != 1 || ends != 1 {
                        problems.push(format!(
                            "{place}: anchor `{anchor}` should open once and close once, \
                             found {starts} ANCHOR and {ends} ANCHOR_END"
                        ));
                    }
                }
            }
        }
    }
    assert!(
        count > 0,
        "the chapters include nothing: the parser is broken"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `// ANCHOR: name` or `// ANCHOR_END: name`, as mdBook matches them.
fn is_marker(line: &str, marker: &str, anchor: &str) -> bool {
    line.split_once(&format!("{marker}:"))
        .is_some_and(|(_, rest)| rest.trim() == anchor)
}

#[test]
fn every_listing_is_shown_by_a_chapter() {
    let listings = listings();
    assert!(!listings.is_empty(), "no crates found under listings/");
    let included: Vec<_> = book_tests::read_chapters()
        .iter()
        .flat_map(|(chapter, text)| Include::targets_of(chapter, text))
        .collect();
    let unshown: Vec<String> = listings
        .iter()
        .filter(|listing| !included.iter().any(|path| path.starts_with(&listing.dir)))
        .map(|listing| listing.name.clone())
        .collect();
    assert!(
        unshown.is_empty(),
        "listings no chapter includes: {unshown:?}"
    );
}

#[test]
fn every_listing_has_tests() {
    let untested: Vec<String> = listings()
        .iter()
        .filter(|listing| !has_tests(&listing.dir))
        .map(|listing| listing.name.clone())
        .collect();
    assert!(
        untested.is_empty(),
        "listings with neither a tests/ folder nor a #[test] in src/: {untested:?}"
    );
}

fn has_tests(dir: &Path) -> bool {
    let integration = dir.join("tests");
    if integration.is_dir()
        && std::fs::read_dir(&integration)
            .map(|entries| {
                entries
                    .flatten()
                    .any(|e| e.path().extension().is_some_and(|x| x == "rs"))
            })
            .unwrap_or(false)
    {
        return true;
    }
    rust_files(&dir.join("src"))
        .iter()
        .any(|file| std::fs::read_to_string(file).is_ok_and(|code| code.contains("#[test]")))
}

fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
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
