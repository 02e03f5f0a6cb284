//! Every table row in the book renders inside a table. In the Markdown that
//! mdBook reads (CommonMark with GitHub's tables), a table is a header row,
//! then a delimiter row (`|---|---|`), then its rows, and it ends at the first
//! blank line: a row written after a blank line starts a paragraph of its own
//! and is printed as text, pipes and all.

use book_tests::{read_chapters, shown};

/// Whether a line is a table's delimiter row: cells of dashes, each with an
/// optional colon at either end.
fn is_delimiter_row(line: &str) -> bool {
    let cells = line.trim().trim_matches('|');
    !cells.is_empty()
        && cells.split('|').all(|cell| {
            let cell = cell.trim().trim_start_matches(':').trim_end_matches(':');
            !cell.is_empty() && cell.chars().all(|c| c == '-')
        })
}

/// The line numbers (from 1) of rows that would not render inside a table:
/// each run of lines starting with `|` outside code blocks must follow a
/// blank line (or a heading, or the start of the file) and begin with a
/// header row and a delimiter row.
fn stray_rows(markdown: &str) -> Vec<usize> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut stray = Vec::new();
    let mut fence: Option<&str> = None;
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index];
        let trimmed = line.trim_start();
        if let Some(marker) = fence {
            if trimmed.starts_with(marker) {
                fence = None;
            }
            index += 1;
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            index += 1;
            continue;
        }
        if !line.starts_with('|') {
            index += 1;
            continue;
        }
        let start = index;
        while index < lines.len() && lines[index].starts_with('|') {
            index += 1;
        }
        let after_break = start == 0 || {
            let before = lines[start - 1].trim();
            before.is_empty() || before.starts_with('#')
        };
        let has_header = index - start >= 2 && is_delimiter_row(lines[start + 1]);
        if !(after_break && has_header) {
            stray.extend(start + 1..=index);
        }
    }
    stray
}

#[test]
fn every_table_row_renders_inside_a_table() {
    let mut problems = Vec::new();
    for (path, text) in read_chapters() {
        for line in stray_rows(&text) {
            problems.push(format!(
                "{}:{line}: a table row outside a table (after a blank line, or without a \
                 header and delimiter row): it would print as text",
                shown(&path)
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_row_after_a_blank_line_is_caught() {
    let table = "| a | b |\n|---|:-:|\n| 1 | 2 |\n";
    assert!(stray_rows(table).is_empty());
    assert_eq!(stray_rows(&format!("{table}\n| 3 | 4 |\n")), [5]);
    assert_eq!(stray_rows("text\n| a | b |\n|---|---|\n"), [2, 3]);
    assert_eq!(stray_rows("| a | b |\n| 1 | 2 |\n"), [1, 2]);
    assert!(stray_rows("```text\n| not a table\n```\n").is_empty());
    assert!(stray_rows("## Heading\n| a |\n|---|\n").is_empty());
}
