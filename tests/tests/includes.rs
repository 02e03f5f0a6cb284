//! The chapters and the listings agree: every include resolves to a real file and anchor,
//! every anchor and every listing crate is shown by some chapter, every listing crate has
//! tests of its own, and every listing a chapter shows has a numbered caption.

use std::path::Path;

use book_tests::chapters::{Include, Selection, code_blocks, includes_in};
use book_tests::listings::listings;
use book_tests::{read_chapters, shown, workspace_root};

#[test]
fn every_include_resolves_and_every_anchor_exists() {
    let mut problems = Vec::new();
    let mut count = 0;
    for (chapter, text) in read_chapters() {
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
    let included: Vec<_> = read_chapters()
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
    book_tests::rust_files(&dir.join("src"))
        .iter()
        .any(|file| std::fs::read_to_string(file).is_ok_and(|code| code.contains("#[test]")))
}

/// An `// ANCHOR: name` marks code for a chapter to show; one that no chapter shows is a stale
/// marker the reader never sees (or a listing the chapter forgot). An anchor counts as shown
/// when a chapter includes it by name, includes its whole file, or includes an anchor that
/// encloses it.
#[test]
fn every_anchor_is_shown_by_a_chapter() {
    let root = workspace_root();
    let mut shown_parts: Vec<(std::path::PathBuf, Selection)> = Vec::new();
    for (chapter, text) in read_chapters() {
        for include in includes_in(&text) {
            if let Some(target) = include.resolve(&chapter) {
                shown_parts.push((target, include.selection));
            }
        }
    }
    let mut files = Vec::new();
    for folder in ["listings", "kernels", "exercises", "src"] {
        source_files(&root.join(folder), &mut files);
    }
    let mut anchors = 0;
    let mut unshown = Vec::new();
    for file in files {
        let Ok(content) = std::fs::read_to_string(&file) else {
            continue;
        };
        let Ok(file) = file.canonicalize() else {
            continue;
        };
        let names: Vec<String> = content.lines().filter_map(anchor_opened).collect();
        for name in &names {
            anchors += 1;
            let visible = shown_parts
                .iter()
                .filter(|(target, _)| *target == file)
                .any(|(_, selection)| match selection {
                    Selection::Whole | Selection::Lines(_) => true,
                    Selection::Anchor(outer) => outer == name || encloses(&content, outer, name),
                });
            if !visible {
                unshown.push(format!("{}: ANCHOR: {name}", shown(&file)));
            }
        }
    }
    assert!(
        anchors > 100,
        "found only {anchors} anchors: the scan is broken"
    );
    assert!(
        unshown.is_empty(),
        "anchors no chapter shows (include them where the chapter needs them, or delete the \
         markers):\n{}",
        unshown.join("\n")
    );
}

/// The name of an `ANCHOR: name` marker on this line, as mdBook reads it.
fn anchor_opened(line: &str) -> Option<String> {
    let (_, rest) = line.split_once("ANCHOR:")?;
    let name: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let after = rest.trim_start()[name.len()..].trim();
    // A marker ends its line (perhaps closing a `/* */` or `<!-- -->` comment); code that
    // spells a marker in a string (`format!("// ANCHOR: {name}")`) is not one.
    (!name.is_empty() && (after.is_empty() || after == "*/" || after == "-->")).then_some(name)
}

/// Whether the `outer` anchor's region contains the `inner` anchor's opening marker.
fn encloses(content: &str, outer: &str, inner: &str) -> bool {
    let mut inside = false;
    for line in content.lines() {
        if is_marker(line, "ANCHOR", outer) {
            inside = true;
        } else if is_marker(line, "ANCHOR_END", outer) {
            inside = false;
        } else if inside && is_marker(line, "ANCHOR", inner) {
            return true;
        }
    }
    false
}

/// The text files of a folder that can hold anchors, skipping build output.
fn source_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if name != "target" && name != "node_modules" && name != "pkg" {
                source_files(&path, found);
            }
        } else if path.extension().is_some_and(|ext| {
            [
                "rs", "js", "mjs", "cl", "cu", "wgsl", "comp", "proto", "toml", "py", "sh", "c",
                "h", "html",
            ]
            .iter()
            .any(|known| ext == *known)
        }) {
            found.push(path);
        }
    }
}

const OPEN: &str = "<span class=\"caption\">";

/// Every listing a chapter shows carries a caption, as the Rust book's do: the line after the
/// code block reads `<span class="caption">Listing 21-1: [file](link) — what it shows</span>`,
/// with the file named in code font and linked to `<repository>/blob/main/<file>`.
///
/// The rule: a fenced block that includes a source file (anything but a program's recorded
/// output, `*.txt` or `*.stderr`) is a listing and is followed by a caption naming that file and
/// linking to it; listings are numbered 1, 2, 3, … in the order a chapter shows them, with the
/// chapter's number (`ch21-…` → 21; the appendices by their letter). Recorded output follows the
/// listing it comes from and has no caption of its own, so a caption after an output block, or
/// anywhere else but after a listing, is an error.
#[test]
fn every_listing_has_a_caption_numbered_in_order() {
    let repository = repository_url();
    let mut problems = Vec::new();
    let mut listings = 0;
    for (chapter, text) in read_chapters() {
        let problems_before = problems.len();
        let mut expected = Vec::new();
        for block in code_blocks(&text) {
            let includes = includes_in(&block.body);
            let Some(first) = includes.first() else {
                continue;
            };
            if is_output(&first.path) {
                continue;
            }
            let Some(label) = chapter_label(&chapter) else {
                problems.push(format!(
                    "{}:{}: a listing on a page that has no chapter number",
                    shown(&chapter),
                    block.line
                ));
                continue;
            };
            let number = expected.len() + 1;
            let Some(target) = first.resolve(&chapter) else {
                continue; // includes.rs reports includes that do not resolve
            };
            let file = shown(&target);
            expected.push(block.range.end);
            listings += 1;
            let wanted = format!(
                "{OPEN}Listing {label}-{number}: [`{file}`]({repository}/blob/main/{file}) — "
            );
            let next = text[block.range.end..]
                .lines()
                .find(|line| !line.trim().is_empty())
                .unwrap_or("")
                .trim();
            if !(next.starts_with(&wanted)
                && next.ends_with("</span>")
                && next.len() > wanted.len() + 10)
            {
                problems.push(format!(
                    "{}:{}: the listing should be followed by\n    {wanted}<what it shows></span>\n  found\n    {next}",
                    shown(&chapter),
                    block.line
                ));
            }
        }
        // Every caption line is one of those just checked: none stray after an output block or
        // in the prose, so the numbers a reader sees are exactly 1..n.
        let captions = text
            .lines()
            .filter(|l| l.trim_start().starts_with(OPEN))
            .count();
        if captions != expected.len() && problems.len() == problems_before {
            problems.push(format!(
                "{}: {captions} caption lines for {} listings; a caption belongs only on the \
                 line after a listing (not after recorded output)",
                shown(&chapter),
                expected.len()
            ));
        }
    }
    assert!(
        listings > 100,
        "found only {listings} listings: the parser is broken"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A program's recorded output (`output.txt`, a compiler's `.stderr`) rather than source.
fn is_output(path: &str) -> bool {
    path.ends_with(".txt") || path.ends_with(".stderr")
}

/// `21` for `ch21-compute-bound-….md`, `B` for Appendix B.
fn chapter_label(chapter: &Path) -> Option<String> {
    let name = chapter.file_stem()?.to_str()?;
    if let Some(digits) = name
        .strip_prefix("ch")
        .and_then(|rest| rest.split('-').next())
    {
        return digits.parse::<u32>().ok().map(|n| n.to_string());
    }
    let summary = std::fs::read_to_string(book_tests::src_dir().join("SUMMARY.md")).ok()?;
    let relative = chapter.strip_prefix(book_tests::src_dir()).ok()?.to_str()?;
    let line = summary
        .lines()
        .find(|line| line.contains(&format!("]({relative})")))?;
    let letter = line.split("Appendix ").nth(1)?.chars().next()?;
    Some(letter.to_string())
}

/// `git-repository-url` from book.toml: where the captions link.
fn repository_url() -> String {
    let config: toml::Table = std::fs::read_to_string(workspace_root().join("book.toml"))
        .expect("book.toml")
        .parse()
        .expect("book.toml parses");
    config["output"]["html"]["git-repository-url"]
        .as_str()
        .expect("book.toml sets output.html.git-repository-url")
        .trim_end_matches('/')
        .to_string()
}
