//! Every Rust block a reader sees is proven to compile one way or another, and is
//! marked so the book's playground button appears only where it can work.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use book_tests::chapters::{RustBlockKind, classify, code_blocks, skeptic_view};
use book_tests::listings::listing_of;
use book_tests::{chapters, shown};

/// A Rust block of a chapter: where it is, the block, and its classification.
struct RustBlock {
    chapter: PathBuf,
    place: String,
    block: chapters::CodeBlock,
    kind: Result<RustBlockKind, String>,
}

/// Each Rust block of every chapter, with its classification.
fn rust_blocks() -> Vec<RustBlock> {
    let mut found = Vec::new();
    for (chapter, text) in book_tests::read_chapters() {
        for block in code_blocks(&text).into_iter().filter(|b| b.is_rust()) {
            let kind = classify(&block, &text[..block.range.start]);
            let place = format!("{}:{}", shown(&chapter), block.line);
            found.push(RustBlock {
                chapter: chapter.clone(),
                place,
                block,
                kind,
            });
        }
    }
    found
}

/// Crate names a snippet may refer to that the Rust playground cannot provide.
fn workspace_crate_names() -> BTreeSet<String> {
    let metadata = cargo_metadata::MetadataCommand::new()
        .current_dir(book_tests::workspace_root())
        .no_deps()
        .exec()
        .expect("cargo metadata runs");
    metadata
        .packages
        .iter()
        .flat_map(|package| {
            std::iter::once(package.name.clone())
                .chain(package.dependencies.iter().map(|dep| dep.name.clone()))
        })
        .map(|name| name.replace('-', "_"))
        .collect()
}

/// The first crate other than std that code refers to: `use rayon::...`, `rayon::join(...)`.
fn uses_external_crate(code: &str, crates: &BTreeSet<String>) -> Option<String> {
    crates
        .iter()
        .find(|name| {
            let mention =
                format!(r"(^|[^\w:]){name}::|\buse\s+{name}\b|\bextern\s+crate\s+{name}\b");
            regex::Regex::new(&mention)
                .expect("crate names are plain identifiers")
                .is_match(code)
        })
        .cloned()
}

#[test]
fn every_rust_block_is_covered_by_some_test() {
    let problems: Vec<String> = rust_blocks()
        .into_iter()
        .filter_map(|RustBlock { place, kind, .. }| {
            kind.err().map(|why| format!("{place}: the block {why}"))
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn skeptic_sees_exactly_the_inline_snippets() {
    let inline = rust_blocks()
        .into_iter()
        .filter(|found| found.kind == Ok(RustBlockKind::Inline))
        .count();
    let seen_by_skeptic: usize = book_tests::read_chapters()
        .iter()
        .map(|(_, text)| code_blocks(&skeptic_view(text)).len())
        .sum();
    assert_eq!(inline, seen_by_skeptic);
    let generated = include_str!(concat!(env!("OUT_DIR"), "/skeptic-tests.rs"));
    assert_eq!(
        generated.matches("#[test]").count(),
        inline,
        "skeptic generated a different number of tests than there are inline snippets"
    );
}

#[test]
fn included_rust_comes_from_listing_crates() {
    let mut problems = Vec::new();
    for RustBlock {
        chapter,
        place,
        kind,
        ..
    } in rust_blocks()
    {
        let Ok(RustBlockKind::Include(includes)) = kind else {
            continue;
        };
        for include in includes {
            let target = include.resolve(&chapter);
            // The exercises' solutions are compiled (and tested) by `cargo xtask
            // test` with the exercises crate's `solution` feature.
            let exercises = book_tests::workspace_root().join("exercises").join("src");
            let compiled = target.as_deref().is_some_and(|target| {
                (listing_of(target).is_some() || target.starts_with(&exercises))
                    && target.extension().is_some_and(|ext| ext == "rs")
            });
            if !compiled {
                problems.push(format!(
                    "{place}: includes {} as Rust, but only .rs files of crates in listings/ \
                     and exercises/ are compiled by the workspace",
                    include.path
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn only_std_snippets_offer_the_playground() {
    let crates = workspace_crate_names();
    let mut problems = Vec::new();
    for RustBlock {
        place, block, kind, ..
    } in rust_blocks()
    {
        let marked = block.has_attribute("noplayground") || block.has_attribute("ignore");
        let reason = match kind {
            Ok(RustBlockKind::Include(_)) => {
                Some("is listing code, run with `cargo run -p`".to_string())
            }
            Ok(RustBlockKind::Inline | RustBlockKind::CompileFail { .. }) => {
                uses_external_crate(&block.body, &crates)
                    .map(|name| format!("uses the crate `{name}`, which the playground lacks"))
            }
            _ => None,
        };
        if let Some(reason) = reason.filter(|_| !marked) {
            problems.push(format!(
                "{place}: the block {reason}: mark it `rust,noplayground`"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn compile_fail_snippets_are_refused_by_the_compiler() {
    let scratch = std::env::temp_dir().join(format!("book-compile-fail-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("temp dir is writable");
    let mut problems = Vec::new();
    for (
        index,
        RustBlock {
            place, block, kind, ..
        },
    ) in rust_blocks().into_iter().enumerate()
    {
        let Ok(RustBlockKind::CompileFail { error_code }) = kind else {
            continue;
        };
        let source = scratch.join(format!("snippet{index}.rs"));
        let code: String = block
            .body
            .lines()
            .map(|line| line.trim_start().strip_prefix("# ").unwrap_or(line))
            .map(|line| format!("{line}\n"))
            .collect();
        std::fs::write(&source, code).expect("temp file is writable");
        let rustc = Command::new("rustc")
            .args([
                "--edition",
                "2024",
                "--crate-type",
                "bin",
                "--emit",
                "metadata",
                "-o",
            ])
            .arg(scratch.join(format!("snippet{index}.rmeta")))
            .arg(&source)
            .output()
            .expect("rustc runs");
        let stderr = String::from_utf8_lossy(&rustc.stderr);
        if rustc.status.success() {
            problems.push(format!("{place}: marked compile_fail but compiles"));
        } else if let Some(code) = error_code.filter(|code| !stderr.contains(&format!("[{code}]")))
        {
            problems.push(format!(
                "{place}: expected error {code}, rustc said:\n{stderr}"
            ));
        }
    }
    std::fs::remove_dir_all(&scratch).ok();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
