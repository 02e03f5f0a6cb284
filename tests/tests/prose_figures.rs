//! A figure a chapter's prose quotes is a figure its shown outputs print.
//!
//! Every duration, ratio, percentage and rate in a chapter's prose must be one that an
//! output the chapter includes (an `output.txt`, or another `.txt` a run wrote) or the
//! recorded output of a listing the prose names prints,
//! to the precision the prose gives it — or be listed, with why it is not a measurement
//! of this book's runs, in `tests/prose-figures.txt`. So when a run is recorded again
//! and its numbers move, the sentences quoting the old numbers fail here instead of
//! going on contradicting the output beside them. The explanations of the chapter's quiz
//! are held to the same rule.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use book_tests::chapters::includes_in;
use book_tests::figures::{Figure, figures, prose};
use book_tests::listings::listings;
use book_tests::quiz::{self, quiz_path};
use book_tests::{shown, workspace_root};

/// The allow-list: `CHAPTER | FIGURE | REASON` per line, `#` comments.
fn allowed() -> BTreeMap<(String, String), String> {
    let path = workspace_root().join("tests/prose-figures.txt");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", shown(&path)));
    let mut entries = BTreeMap::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('|').map(str::trim).collect();
        let [chapter, figure, reason] = fields[..] else {
            panic!(
                "{}:{}: not `CHAPTER | FIGURE | REASON`",
                shown(&path),
                number + 1
            );
        };
        assert!(
            !reason.is_empty(),
            "{}:{}: an entry needs its reason",
            shown(&path),
            number + 1
        );
        entries.insert(
            (chapter.to_string(), figure.to_string()),
            reason.to_string(),
        );
    }
    entries
}

/// The figures printed by the text files a chapter includes, and by the recorded
/// outputs of the listings its prose names (`ch02-drivers-three-ways`).
fn shown_figures(chapter: &Path, markdown: &str) -> Vec<Figure> {
    let dir = chapter.parent().expect("chapters live in src/");
    let included = includes_in(markdown)
        .into_iter()
        .filter(|include| include.path.ends_with(".txt"))
        .map(|include| dir.join(include.path));
    let text = prose(markdown);
    let named = listings()
        .into_iter()
        .filter(|listing| text.contains(&format!("`{}`", listing.name)))
        .map(|listing| listing.output_file());
    included
        .chain(named)
        .filter_map(|file| std::fs::read_to_string(file).ok())
        .flat_map(|text| figures(&text))
        .collect()
}

#[test]
fn every_figure_in_the_prose_is_printed_by_a_shown_output() {
    let allowed = allowed();
    let mut used = BTreeSet::new();
    let mut problems = Vec::new();
    let mut quoted = 0;
    for (chapter, markdown) in book_tests::read_chapters() {
        let name = chapter
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or_default()
            .to_string();
        let measured = shown_figures(&chapter, &markdown);
        // The quiz's explanations quote the chapter's runs too.
        let quiz = quiz_path(&chapter);
        let explanations = quiz.is_file().then(|| {
            let questions = quiz::load(&quiz).unwrap_or_else(|error| panic!("{error}"));
            questions
                .iter()
                .map(|question| question.context.as_str())
                .collect::<Vec<_>>()
                .join("\n\n")
        });
        let texts = std::iter::once((chapter.as_path(), markdown.as_str()))
            .chain(explanations.as_deref().map(|text| (quiz.as_path(), text)));
        for (file, text) in texts {
            for figure in figures(&prose(text)) {
                if measured.iter().any(|run| figure.quotes(run)) {
                    quoted += 1;
                    continue;
                }
                let key = (name.clone(), figure.to_string());
                if allowed.contains_key(&key) {
                    used.insert(key);
                    continue;
                }
                problems.push(format!(
                    "{}: {figure} is printed by none of the outputs the chapter shows; \
                     quote the run, or list it in tests/prose-figures.txt with why",
                    shown(file)
                ));
            }
        }
    }
    for key in allowed.keys().filter(|key| !used.contains(*key)) {
        problems.push(format!(
            "tests/prose-figures.txt: `{} | {}` allows nothing any more; remove it",
            key.0, key.1
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    println!(
        "{quoted} figures in the prose quote a shown output; {} are listed with a reason",
        used.len()
    );
}
