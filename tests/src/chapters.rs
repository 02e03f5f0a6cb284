//! Reading the chapters' Markdown: which code blocks a reader sees, and how each is tested.
//!
//! This file is shared by the build script (which hands the inline snippets to skeptic)
//! and by the tests (which check that every other block is covered some other way), so
//! both sides agree on one classification. It depends only on std and pulldown-cmark.

use std::ops::Range;
use std::path::{Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag};

/// A fenced code block of a chapter.
#[derive(Debug, Clone)]
pub struct CodeBlock {
    /// 1-based line of the opening fence.
    pub line: usize,
    /// The info string after the fence, e.g. `rust,noplayground`.
    pub info: String,
    pub body: String,
    /// Byte range of the whole block, fences included.
    pub range: Range<usize>,
}

impl CodeBlock {
    /// The comma- or space-separated words of the info string.
    pub fn attributes(&self) -> impl Iterator<Item = &str> {
        self.info
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|word| !word.is_empty())
    }

    pub fn has_attribute(&self, name: &str) -> bool {
        self.attributes().any(|word| word == name)
    }

    /// mdBook highlights, and offers to run, a block whose language is `rust`.
    pub fn is_rust(&self) -> bool {
        self.attributes().next() == Some("rust")
    }
}

/// An `{{#include path:anchor}}` (or `{{#rustdoc_include ...}}`) directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    pub directive: String,
    /// Relative to the chapter file that holds the directive.
    pub path: String,
    pub selection: Selection,
}

impl Include {
    /// The included file, resolved against the chapter that holds the directive;
    /// `None` when it does not exist.
    pub fn resolve(&self, chapter: &Path) -> Option<PathBuf> {
        chapter.parent()?.join(&self.path).canonicalize().ok()
    }

    /// The files that a chapter's include directives name and that exist.
    pub fn targets_of(chapter: &Path, text: &str) -> Vec<PathBuf> {
        includes_in(text)
            .iter()
            .filter_map(|include| include.resolve(chapter))
            .collect()
    }
}

/// Which part of the included file the directive shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    Whole,
    Anchor(String),
    /// A line range such as `:10:20`; listings use anchors, so the tests reject these.
    Lines(String),
}

/// How a Rust block a reader sees is proven to compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RustBlockKind {
    /// Nothing but include directives: the code is part of a listing crate, which the
    /// workspace builds and tests.
    Include(Vec<Include>),
    /// Code written in the chapter itself: skeptic compiles it (and runs it unless `no_run`).
    Inline,
    /// Code that must be refused by the compiler, optionally with a given error code
    /// (`compile_fail,E0373`); the snippet tests run rustc and expect that failure.
    CompileFail { error_code: Option<String> },
    /// Not compiled; allowed only with an `<!-- ignore: reason -->` line just above it.
    Ignored,
}

/// Every Markdown file under `src_dir`, sorted so test output is stable.
pub fn markdown_files(src_dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    walk(src_dir, &mut found);
    found.sort();
    found
}

/// The fenced code blocks of a Markdown text, in order.
pub fn code_blocks(markdown: &str) -> Vec<CodeBlock> {
    let mut blocks = Vec::new();
    let mut current: Option<CodeBlock> = None;
    for (event, range) in Parser::new(markdown).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                current = Some(CodeBlock {
                    line: markdown[..range.start].matches('\n').count() + 1,
                    info: info.to_string(),
                    body: String::new(),
                    range,
                });
            }
            Event::Text(text) => {
                if let Some(block) = current.as_mut() {
                    block.body.push_str(&text);
                }
            }
            Event::End(Tag::CodeBlock(CodeBlockKind::Fenced(_))) => {
                blocks.extend(current.take());
            }
            _ => {}
        }
    }
    blocks
}

/// Every include directive in a text (code blocks and prose alike).
pub fn includes_in(text: &str) -> Vec<Include> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{#") {
        let after = &rest[start + 3..];
        let Some(end) = after.find("}}") else { break };
        let directive = after[..end].trim();
        rest = &after[end + 2..];
        let Some((name, argument)) = directive.split_once(char::is_whitespace) else {
            continue;
        };
        if name != "include" && name != "rustdoc_include" {
            continue;
        }
        let argument = argument.trim();
        let (path, selection) = match argument.split_once(':') {
            None => (argument, Selection::Whole),
            Some((path, tail)) if tail.starts_with(|c: char| c.is_ascii_digit()) => {
                (path, Selection::Lines(tail.to_string()))
            }
            Some((path, anchor)) => (path, Selection::Anchor(anchor.to_string())),
        };
        found.push(Include {
            directive: name.to_string(),
            path: path.to_string(),
            selection,
        });
    }
    found
}

/// Decides how a Rust block is tested, or explains why it is not allowed.
/// `text_before` is the chapter text that precedes the block.
pub fn classify(block: &CodeBlock, text_before: &str) -> Result<RustBlockKind, String> {
    let includes = includes_in(&block.body);
    let code_lines = block
        .body
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.trim_start().starts_with("{{#"))
        .count();
    if !includes.is_empty() {
        if code_lines > 0 {
            return Err("mixes include directives with inline code; \
                        put the code in the listing and include it with an anchor"
                .to_string());
        }
        return Ok(RustBlockKind::Include(includes));
    }
    if block.has_attribute("ignore") {
        let reason_given = text_before
            .trim_end()
            .lines()
            .next_back()
            .is_some_and(|line| {
                let line = line.trim();
                line.starts_with("<!-- ignore:") && line.len() > "<!-- ignore: -->".len() + 3
            });
        return if reason_given {
            Ok(RustBlockKind::Ignored)
        } else {
            Err(
                "is marked `ignore` without an `<!-- ignore: reason -->` line right above it"
                    .to_string(),
            )
        };
    }
    if block.has_attribute("compile_fail") {
        let error_code = block
            .attributes()
            .find(|word| word.len() == 5 && word.starts_with('E'))
            .map(str::to_string);
        return Ok(RustBlockKind::CompileFail { error_code });
    }
    Ok(RustBlockKind::Inline)
}

/// The chapter as skeptic should see it: the same lines (so test names carry the real
/// line numbers), with every block that is not an inline Rust snippet blanked out.
pub fn skeptic_view(markdown: &str) -> String {
    let mut view = String::with_capacity(markdown.len());
    let mut copied_up_to = 0;
    for block in code_blocks(markdown) {
        let before = &markdown[..block.range.start];
        let is_inline_snippet =
            block.is_rust() && classify(&block, before) == Ok(RustBlockKind::Inline);
        if is_inline_snippet {
            continue;
        }
        view.push_str(&markdown[copied_up_to..block.range.start]);
        let blanked = markdown[block.range.clone()].matches('\n').count();
        view.push_str(&"\n".repeat(blanked));
        copied_up_to = block.range.end;
    }
    view.push_str(&markdown[copied_up_to..]);
    view
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAPTER: &str = "# Title\n\n\
        ```rust\nfn main() {}\n```\n\n\
        ```rust,noplayground\n{{#include ../listings/ch01-x/src/main.rs:spawn}}\n```\n\n\
        <!-- ignore: shows syntax only -->\n```rust,ignore\nnot rust\n```\n\n\
        ```rust,compile_fail,E0373\nfn main() {}\n```\n\n\
        ```text\n{{#include ../listings/ch01-x/output.txt}}\n```\n";

    fn kinds() -> Vec<Result<RustBlockKind, String>> {
        code_blocks(CHAPTER)
            .iter()
            .filter(|block| block.is_rust())
            .map(|block| classify(block, &CHAPTER[..block.range.start]))
            .collect()
    }

    #[test]
    fn classifies_each_kind_of_block() {
        let kinds = kinds();
        assert_eq!(kinds.len(), 4);
        assert_eq!(kinds[0], Ok(RustBlockKind::Inline));
        let Ok(RustBlockKind::Include(includes)) = &kinds[1] else {
            panic!("second block should be an include: {:?}", kinds[1]);
        };
        assert_eq!(includes[0].path, "../listings/ch01-x/src/main.rs");
        assert_eq!(includes[0].selection, Selection::Anchor("spawn".into()));
        assert_eq!(kinds[2], Ok(RustBlockKind::Ignored));
        assert_eq!(
            kinds[3],
            Ok(RustBlockKind::CompileFail {
                error_code: Some("E0373".into())
            })
        );
    }

    #[test]
    fn ignore_without_a_reason_is_rejected() {
        let chapter = "Some text.\n\n```rust,ignore\nfn main() {}\n```\n";
        let block = &code_blocks(chapter)[0];
        assert!(classify(block, &chapter[..block.range.start]).is_err());
    }

    #[test]
    fn mixed_include_and_code_is_rejected() {
        let chapter = "```rust\n{{#include a.rs}}\nfn extra() {}\n```\n";
        let block = &code_blocks(chapter)[0];
        assert!(classify(block, "").is_err());
    }

    #[test]
    fn skeptic_view_keeps_only_inline_snippets_and_line_numbers() {
        let view = skeptic_view(CHAPTER);
        assert_eq!(view.lines().count(), CHAPTER.lines().count());
        let blocks = code_blocks(&view);
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].line, 3);
        assert_eq!(blocks[0].body, "fn main() {}\n");
    }

    #[test]
    fn line_ranges_are_recognised() {
        let includes = includes_in("{{#include ../a.rs:10:20}}");
        assert_eq!(includes[0].selection, Selection::Lines("10:20".into()));
    }
}
