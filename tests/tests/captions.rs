//! Every listing a chapter shows carries a caption, as the Rust book's do: the line after the
//! code block reads `<span class="caption">Listing 21-1: [`listings/…/src/lib.rs`](<repository>/blob/main/listings/…/src/lib.rs) — what it shows</span>`.
//!
//! The rule: a fenced block that includes a source file (anything but a program's recorded
//! output, `*.txt` or `*.stderr`) is a listing and is followed by a caption naming that file and
//! linking to it; listings are numbered 1, 2, 3, … in the order a chapter shows them, with the
//! chapter's number (`ch21-…` → 21; the appendices by their letter). Recorded output follows the
//! listing it comes from and has no caption of its own, so a caption after an output block, or
//! anywhere else but after a listing, is an error.

use std::path::Path;

use book_tests::chapters::{code_blocks, includes_in};
use book_tests::{read_chapters, shown, workspace_root};

const OPEN: &str = "<span class=\"caption\">";

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
