//! The chapters' quizzes as files: every chapter ends with a `## Quiz` that includes its own
//! quiz file, every file parses as mdbook-quiz 0.5 expects and has what a reader needs (an id,
//! a prompt, an answer, an explanation that names the part of the chapter it tests), every
//! tracing question's program prints exactly what its answer says (or fails to compile where it
//! says so), and building the book leaves the source tree as it was.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use book_tests::quiz::{self, Kind, Question, quiz_path};
use book_tests::site::{self, BuiltBook};
use book_tests::{read_chapters, shown, src_dir, workspace_root};
use regex::Regex;

/// A chapter's quiz has at least this many questions.
const MIN_QUESTIONS: usize = 4;
/// ... of at least this many of the three types.
const MIN_TYPES: usize = 2;
/// A tracing program about threads is run this often: its output must be the same every time,
/// or the question has no single right answer.
const TRACING_RUNS: usize = 20;
/// How long one run of a tracing program may take.
const TRACING_RUN_LIMIT: Duration = Duration::from_secs(10);

/// The numbered chapters (`src/<part>/chNN-*.md`), each with its text.
fn chapters() -> Vec<(PathBuf, String)> {
    read_chapters()
        .into_iter()
        .filter(|(path, _)| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| Regex::new(r"^ch\d\d-").unwrap().is_match(name))
        })
        .collect()
}

/// The text of the `##` headings of a chapter, without Markdown emphasis or code marks.
fn headings(markdown: &str) -> Vec<String> {
    markdown
        .lines()
        .filter_map(|line| line.strip_prefix("## "))
        .map(plain_text)
        .filter(|heading| heading != "quiz")
        .collect()
}

/// Text without Markdown emphasis or code marks, lower case, with every run of white space
/// (a line break inside a wrapped explanation) as one space.
fn plain_text(text: &str) -> String {
    text.replace(['`', '*', '_'], "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[test]
fn every_chapter_ends_with_its_quiz() {
    let mut problems = Vec::new();
    let chapters = chapters();
    for (chapter, markdown) in &chapters {
        let stem = chapter.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let include = format!("{{{{#quiz quizzes/{stem}.toml}}}}");
        if !quiz_path(chapter).is_file() {
            problems.push(format!("{}: no quiz file", shown(&quiz_path(chapter))));
        }
        let sections: Vec<(&str, &str)> = sections(markdown);
        let Some(position) = sections.iter().position(|(title, _)| *title == "Quiz") else {
            problems.push(format!("{}: no `## Quiz` section", shown(chapter)));
            continue;
        };
        if sections[position].1.trim() != include {
            problems.push(format!(
                "{}: the `## Quiz` section should hold exactly `{include}`",
                shown(chapter)
            ));
        }
        let after: Vec<&str> = sections[position + 1..]
            .iter()
            .map(|(title, _)| *title)
            .collect();
        if !(after.is_empty() || after == ["What to take away"]) {
            problems.push(format!(
                "{}: the quiz comes last, or just before a closing \"What to take away\"; \
                 after it come {after:?}",
                shown(chapter)
            ));
        }
        if markdown.matches("{{#quiz ").count() != 1 {
            problems.push(format!("{}: more than one quiz", shown(chapter)));
        }
    }
    // And no quiz file without its chapter.
    let expected: BTreeSet<PathBuf> = chapters.iter().map(|(path, _)| quiz_path(path)).collect();
    for file in quiz::quiz_files(&src_dir()) {
        if !expected.contains(&file) {
            problems.push(format!("{}: no chapter of that name", shown(&file)));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) with the chapters' quizzes:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
    println!("{} chapters each end with their quiz", chapters.len());
}

/// The `##` sections of a chapter in order: title and body (up to the next `##`), with code
/// blocks skipped so a `## ` inside one does not count.
fn sections(markdown: &str) -> Vec<(&str, &str)> {
    let mut sections = Vec::new();
    let mut in_code = false;
    let mut current: Option<(&str, usize)> = None;
    let mut offset = 0;
    for line in markdown.split_inclusive('\n') {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && let Some(title) = line.strip_prefix("## ") {
            if let Some((title, start)) = current {
                sections.push((title, &markdown[start..offset]));
            }
            current = Some((title.trim(), offset + line.len()));
        }
        offset += line.len();
    }
    if let Some((title, start)) = current {
        sections.push((title, &markdown[start..]));
    }
    sections
}

#[test]
fn every_quiz_file_is_complete() {
    let uuid4 =
        Regex::new(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
            .expect("a valid pattern");
    let chapter_text: HashMap<PathBuf, String> = chapters()
        .into_iter()
        .map(|(path, text)| (quiz_path(&path), text))
        .collect();
    let mut problems = Vec::new();
    let mut seen_ids: HashMap<String, String> = HashMap::new();
    let mut counts: BTreeMap<String, BTreeMap<&'static str, usize>> = BTreeMap::new();
    let files = quiz::quiz_files(&src_dir());
    assert!(!files.is_empty(), "no quiz files under src/*/quizzes/");
    for file in &files {
        let name = shown(file);
        let questions = match quiz::load(file) {
            Ok(questions) => questions,
            Err(error) => {
                problems.push(error);
                continue;
            }
        };
        let headings = chapter_text
            .get(file)
            .map(|text| headings(text))
            .unwrap_or_default();
        let mut types = BTreeMap::new();
        for (index, question) in questions.iter().enumerate() {
            let at = format!("{name}, question {}", index + 1);
            *types.entry(question.kind.name()).or_insert(0) += 1;
            if !uuid4.is_match(&question.id) {
                problems.push(format!("{at}: id {:?} is not a UUID v4", question.id));
            }
            if let Some(other) = seen_ids.insert(question.id.clone(), at.clone()) {
                problems.push(format!("{at}: id {} is also used by {other}", question.id));
            }
            problems.extend(question_problems(question, &headings).map(|p| format!("{at}: {p}")));
        }
        if questions.len() < MIN_QUESTIONS {
            problems.push(format!(
                "{name}: {} questions, fewer than {MIN_QUESTIONS}",
                questions.len()
            ));
        }
        if types.len() < MIN_TYPES {
            problems.push(format!("{name}: only {types:?}; mix the question types"));
        }
        counts.insert(name, types);
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) in the quiz files:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
    let total: usize = counts.values().flat_map(|types| types.values()).sum();
    println!("{total} questions in {} quizzes:", counts.len());
    for (name, types) in &counts {
        println!("  {name}: {types:?}");
    }
}

/// What is wrong with one question, if anything.
fn question_problems(question: &Question, headings: &[String]) -> impl Iterator<Item = String> {
    let mut problems = Vec::new();
    if question.context.trim().is_empty() {
        problems.push("no explanation (`context`)".to_string());
    }
    // The explanation points the reader back at the section it tests, by its title.
    let context = plain_text(&question.context);
    if !headings
        .iter()
        .any(|heading| context.contains(heading.as_str()))
    {
        problems.push(format!(
            "the explanation names none of the chapter's sections {headings:?}"
        ));
    }
    match &question.kind {
        Kind::MultipleChoice {
            answers,
            distractors,
        } => {
            if question.prompt.trim().is_empty() {
                problems.push("an empty prompt".to_string());
            }
            if answers.is_empty() || distractors.is_empty() {
                problems.push("needs at least one answer and one distractor".to_string());
            }
            let all: Vec<String> = answers
                .iter()
                .chain(distractors)
                .map(|c| quiz::plain(c))
                .collect();
            let unique: BTreeSet<&String> = all.iter().collect();
            if unique.len() != all.len() {
                problems.push("a choice is offered twice".to_string());
            }
        }
        Kind::ShortAnswer { answer, .. } => {
            if question.prompt.trim().is_empty() || answer.trim().is_empty() {
                problems.push("an empty prompt or answer".to_string());
            }
        }
        Kind::Tracing {
            does_compile,
            stdout,
            ..
        } => match (does_compile, stdout) {
            (true, None) => problems.push("compiles but states no stdout".to_string()),
            (false, Some(_)) => problems.push("does not compile but states a stdout".to_string()),
            _ => {}
        },
    }
    problems.into_iter()
}

#[test]
fn tracing_programs_print_what_their_answers_say() {
    let scratch =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("quiz-tracing-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).expect("a scratch folder");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in quiz::quiz_files(&src_dir()) {
        let questions = quiz::load(&file).unwrap_or_else(|error| panic!("{error}"));
        for (index, question) in questions.iter().enumerate() {
            let Kind::Tracing {
                program,
                does_compile,
                stdout,
                line_number,
            } = &question.kind
            else {
                continue;
            };
            let at = format!("{}, question {}", shown(&file), index + 1);
            let dir = scratch.join(&question.id);
            std::fs::create_dir_all(&dir).expect("a scratch folder");
            let source = dir.join("main.rs");
            std::fs::write(&source, program).expect("can write the program");
            let binary = dir.join("main");
            // The book's edition, and the error format that says on which line an error is.
            let compiled = Command::new(&rustc)
                .args([
                    "--edition",
                    "2024",
                    "-A",
                    "warnings",
                    "--error-format=json",
                    "-o",
                ])
                .arg(&binary)
                .arg(&source)
                .stdin(Stdio::null())
                .output()
                .unwrap_or_else(|error| panic!("cannot run {rustc}: {error}"));
            checked += 1;
            match (compiled.status.success(), does_compile) {
                (false, true) => problems.push(format!(
                    "{at}: says the program compiles, but rustc refuses it:\n{}",
                    rendered_errors(&compiled.stderr)
                )),
                (true, false) => {
                    problems.push(format!(
                        "{at}: says the program does not compile, but it does"
                    ));
                }
                (false, false) => {
                    if let Some(line) = line_number {
                        let lines = error_lines(&compiled.stderr);
                        if !lines.contains(line) {
                            problems.push(format!(
                                "{at}: points at line {line}, but rustc's errors are on lines \
                                 {lines:?}"
                            ));
                        }
                    }
                }
                (true, true) => {
                    let expected = stdout.as_deref().unwrap_or_default();
                    for run in 1..=TRACING_RUNS {
                        match run_program(&binary) {
                            Ok(actual) if actual.trim_end() == expected.trim_end() => {}
                            Ok(actual) => {
                                problems.push(format!(
                                    "{at}: run {run} printed\n{actual}\nbut the answer says\n{expected}"
                                ));
                                break;
                            }
                            Err(error) => {
                                problems.push(format!("{at}: run {run}: {error}"));
                                break;
                            }
                        }
                    }
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(checked > 0, "no tracing questions found");
    assert!(
        problems.is_empty(),
        "{} tracing question(s) disagree with rustc or with a run:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
    println!(
        "{checked} tracing programs compiled (or refused as stated), each run {TRACING_RUNS} times"
    );
}

/// Runs a compiled tracing program with a time limit; its stdout, or why it failed.
fn run_program(binary: &Path) -> Result<String, String> {
    let mut child = Command::new(binary)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot start: {error}"))?;
    let deadline = Instant::now() + TRACING_RUN_LIMIT;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "did not finish within {} s",
                    TRACING_RUN_LIMIT.as_secs()
                ));
            }
        }
    }
    let output = child
        .wait_with_output()
        .map_err(|error| error.to_string())?;
    if !output.status.success() {
        return Err(format!(
            "exited with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|_| "printed something that is not UTF-8".to_string())
}

/// The lines of the primary spans of rustc's errors (JSON diagnostics on stderr).
fn error_lines(stderr: &[u8]) -> BTreeSet<usize> {
    diagnostics(stderr)
        .filter(|diagnostic| diagnostic["level"] == "error")
        .flat_map(|diagnostic| {
            diagnostic["spans"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter(|span| span["is_primary"] == true)
                .filter_map(|span| span["line_start"].as_u64())
                .map(|line| line as usize)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn rendered_errors(stderr: &[u8]) -> String {
    diagnostics(stderr)
        .filter_map(|diagnostic| diagnostic["rendered"].as_str().map(str::to_string))
        .collect::<Vec<_>>()
        .join("")
}

fn diagnostics(stderr: &[u8]) -> impl Iterator<Item = serde_json::Value> + '_ {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .collect::<Vec<_>>()
        .into_iter()
}

/// What the build could change under `src/`: the list of files (a generated folder that is
/// not ignored would show up here) and the bytes of every quiz file (where mdbook-quiz would
/// write a missing id).
fn source_snapshot() -> (String, BTreeMap<PathBuf, Vec<u8>>) {
    let status = Command::new("git")
        .args([
            "status",
            "--porcelain",
            "--untracked-files=all",
            "--",
            "src",
            "book.toml",
        ])
        .current_dir(workspace_root())
        .output()
        .expect("git runs");
    assert!(status.status.success(), "git status failed");
    let quizzes = quiz::quiz_files(&src_dir())
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).expect("a quiz file is readable");
            (path, bytes)
        })
        .collect();
    (
        String::from_utf8_lossy(&status.stdout).into_owned(),
        quizzes,
    )
}

#[test]
fn building_the_book_leaves_the_sources_unchanged() {
    site::require_tool(&["mdbook-quiz"], "by mdbook to turn {{#quiz}} into a quiz");
    let before = source_snapshot();
    let book = BuiltBook::build(Path::new(env!("CARGO_TARGET_TMPDIR")), "quiz-tree");
    let after = source_snapshot();
    for (path, bytes) in &before.1 {
        assert!(
            after.1.get(path) == Some(bytes),
            "building the book rewrote {} (a question without a committed `id`?)",
            shown(path)
        );
    }
    assert_eq!(
        before.0, after.0,
        "building the book changed what git sees under src/ (before, after)"
    );
    // And the quiz script is served from the book itself.
    assert!(
        book.dir().join("quiz").join("quiz-embed.iife.js").is_file(),
        "the built book has no quiz/quiz-embed.iife.js"
    );
}

#[test]
fn the_progress_page_lists_every_quiz_and_exercise() {
    let page_path = src_dir().join("progress.md");
    let page = std::fs::read_to_string(&page_path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", shown(&page_path)));
    let summary = std::fs::read_to_string(src_dir().join("SUMMARY.md")).expect("SUMMARY.md");
    assert!(
        summary.contains("](progress.md)"),
        "src/SUMMARY.md does not list the progress page"
    );
    let cell = Regex::new(r#"data-quiz="([^"]+)" data-questions="(\d+)""#).expect("a pattern");
    let listed: BTreeMap<String, usize> = cell
        .captures_iter(&page)
        .map(|found| (found[1].to_string(), found[2].parse().expect("a number")))
        .collect();
    let mut problems = Vec::new();
    let mut exercises = 0;
    for (chapter, markdown) in chapters() {
        let stem = chapter
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_string();
        let relative = chapter
            .strip_prefix(src_dir())
            .expect("under src/")
            .to_string_lossy()
            .into_owned();
        // The score cell names the quiz by the name mdbook-quiz stores its answers under (the
        // file stem) and says how many questions it has, so the page can show "3 of 5".
        let questions = quiz::load(&quiz_path(&chapter))
            .map(|q| q.len())
            .unwrap_or(0);
        match listed.get(&stem) {
            None => problems.push(format!("no score for {stem}")),
            Some(&count) if count != questions => problems.push(format!(
                "{stem}: the page says {count} questions, the quiz has {questions}"
            )),
            Some(_) => {}
        }
        if !page.contains(&format!("]({relative}#quiz)")) {
            problems.push(format!("no link to the quiz of {relative}"));
        }
        // Every chapter sets an exercise, and each has a row with a link to it
        // and the command that checks it.
        let number = stem
            .strip_prefix("ch")
            .and_then(|rest| rest.get(..2))
            .filter(|digits| digits.chars().all(|c| c.is_ascii_digit()));
        let set = sections(&markdown)
            .iter()
            .filter(|(title, _)| title.starts_with("Exercise"))
            .count();
        if let Some(number) = number {
            if set == 0 {
                problems.push(format!(
                    "{relative} sets no exercise (a `## Exercise: …` section)"
                ));
            }
            let command = format!("cargo exercise ch{number}");
            if set > 0 && !markdown.contains(&command) {
                problems.push(format!(
                    "{relative}: its exercise does not show `{command}`"
                ));
            }
        }
        for (title, _) in sections(&markdown) {
            if title.starts_with("Exercise") {
                exercises += 1;
                let anchor = title
                    .to_lowercase()
                    .chars()
                    .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-')
                    .collect::<String>()
                    .replace(' ', "-");
                if !page.contains(&format!("]({relative}#{anchor})")) {
                    problems.push(format!("no row for the exercise \"{title}\" of {relative}"));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} is out of date:\n  {}",
        shown(&page_path),
        problems.join("\n  ")
    );
    println!(
        "the progress page lists {} quizzes and {exercises} exercises",
        listed.len()
    );
}
