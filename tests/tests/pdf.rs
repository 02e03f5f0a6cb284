//! The book on paper: `cargo xtask pdf` prints the built site with headless
//! Chromium, and the PDF has every chapter, drawn diagrams and an outline.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use book_helpers::{finishes_within, without_package_env};
use book_tests::listings::chapters_in_reading_order;
use book_tests::site::{BuiltBook, require_tool};
use book_tests::workspace_root;
use regex::Regex;

const POPPLER: &str = "to read the printed book (Debian's poppler-utils)";

fn run(command: &mut Command) -> String {
    String::from_utf8_lossy(&book_tests::run_ok(command).stdout).into_owned()
}

/// Prints a freshly built site the way `cargo xtask pdf` does.
fn print(site: &Path, pdf: &Path) {
    let mut xtask = Command::new(env!("CARGO"));
    without_package_env(&mut xtask);
    xtask
        .args(["xtask", "pdf", "--site"])
        .arg(site)
        .arg("--output")
        .arg(pdf)
        .current_dir(workspace_root());
    finishes_within(Duration::from_secs(900), move || run(&mut xtask));
}

/// Whether a page rendered as a greyscale PGM has ink on it: not blank.
fn inked_share(pgm: &[u8]) -> f64 {
    // P5 <width> <height> <maxval> then one byte per pixel.
    let mut fields = 0;
    let mut at = 0;
    let mut in_field = false;
    while fields < 4 {
        let whitespace = pgm[at].is_ascii_whitespace();
        if in_field && whitespace {
            fields += 1;
        }
        in_field = !whitespace;
        at += 1;
    }
    let pixels = &pgm[at..];
    let inked = pixels.iter().filter(|&&grey| grey < 200).count();
    inked as f64 / pixels.len().max(1) as f64
}

#[test]
fn the_printed_book_has_every_chapter_diagrams_and_an_outline() {
    let pdfinfo = require_tool(&["pdfinfo"], POPPLER);
    let pdftotext = require_tool(&["pdftotext"], POPPLER);
    let pdftoppm = require_tool(&["pdftoppm"], POPPLER);
    let scratch = std::env::temp_dir().join("book-pdf-test");
    std::fs::create_dir_all(&scratch).expect("a scratch folder");
    let book = BuiltBook::build(&scratch, "site");
    let pdf = scratch.join(format!("book-{}.pdf", std::process::id()));
    print(book.dir(), &pdf);

    let info = run(Command::new(&pdfinfo).arg(&pdf));
    let pages: usize = Regex::new(r"(?m)^Pages:\s+(\d+)$")
        .expect("a pattern")
        .captures(&info)
        .and_then(|found| found[1].parse().ok())
        .unwrap_or_else(|| panic!("pdfinfo gave no page count:\n{info}"));
    // 467 pages when this was written; far fewer means chapters went
    // missing, far more that code or tables broke into fragments.
    assert!((350..=700).contains(&pages), "{pages} pages");
    let bytes = std::fs::read(&pdf).expect("the PDF");
    assert!(
        bytes.windows(9).any(|window| window == b"/Outlines"),
        "the PDF has no outline (bookmarks) for a reader to jump by"
    );

    let text = run(Command::new(&pdftotext).arg(&pdf).arg("-"));
    let flat = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('\u{2019}', "'");
    // A page's heading may be the table of contents' title without its
    // "Appendix B: " or its ": quizzes and exercises".
    let printed = |title: &str| {
        let title = title.replace('`', "");
        let (before, after) = title.split_once(": ").unwrap_or((&title, &title));
        [title.as_str(), before, after]
            .iter()
            .any(|heading| flat.contains(heading))
    };
    let missing: Vec<String> = chapters_in_reading_order()
        .into_iter()
        .map(|(_, title)| title)
        .filter(|title| !printed(title))
        .collect();
    assert!(
        missing.is_empty(),
        "chapters missing from the PDF: {missing:?}"
    );
    // Diagrams are drawn by mermaid in the browser before printing; if it
    // had not run, their sources (`A --> B`) would be printed as text.
    let source = Regex::new(r"\w[ \t]*-->[ \t]*\w").expect("a pattern");
    assert!(
        !source.is_match(&text),
        "a diagram printed as its mermaid source: {:?}",
        source.find(&text).map(|found| found.as_str())
    );
    // The page of chapter 1's diagram of the book's thesis, by its labels.
    let pages_text: Vec<&str> = text.split('\u{c}').collect();
    let diagram_page = pages_text
        .iter()
        .position(|page| {
            page.contains("one concurrent structure") && page.contains("on many cores")
        })
        .expect("chapter 1's diagram is in the PDF")
        + 1;
    let prefix = scratch.join(format!("page-{}", std::process::id()));
    run(Command::new(&pdftoppm)
        .args(["-gray", "-r", "40", "-singlefile", "-f"])
        .arg(diagram_page.to_string())
        .arg("-l")
        .arg(diagram_page.to_string())
        .arg(&pdf)
        .arg(&prefix));
    let image = prefix.with_extension("pgm");
    let share = inked_share(&std::fs::read(&image).expect("the page image"));
    assert!(
        share > 0.02,
        "page {diagram_page} is nearly blank ({share:.3} inked)"
    );
    println!("{pages} pages; chapter 1's diagram on page {diagram_page}, {share:.2} inked");
    std::fs::remove_file(&pdf).ok();
    std::fs::remove_file(&image).ok();
}
