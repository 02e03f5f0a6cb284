//! The chapters' quizzes: one mdbook-quiz file per chapter, `src/<part>/quizzes/<chapter>.toml`,
//! read into plain values the tests can check (fields, counts, tracing programs, answer keys).
//!
//! This module depends on `toml` and std only, so that a listing's model-checking test can
//! include it with `#[path]` and compare what loom finds with a question's answer key, without
//! a dependency on this crate.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One question of a quiz file.
#[derive(Debug, Clone)]
pub struct Question {
    /// The committed `id` (a UUID) that mdbook-quiz would otherwise write into the file.
    pub id: String,
    pub prompt: String,
    /// The explanation shown after answering.
    pub context: String,
    pub kind: Kind,
}

/// The three question types of mdbook-quiz 0.5.
#[derive(Debug, Clone)]
pub enum Kind {
    MultipleChoice {
        answers: Vec<String>,
        distractors: Vec<String>,
    },
    ShortAnswer {
        answer: String,
        alternatives: Vec<String>,
    },
    Tracing {
        program: String,
        does_compile: bool,
        stdout: Option<String>,
        line_number: Option<usize>,
    },
}

impl Kind {
    pub fn name(&self) -> &'static str {
        match self {
            Kind::MultipleChoice { .. } => "MultipleChoice",
            Kind::ShortAnswer { .. } => "ShortAnswer",
            Kind::Tracing { .. } => "Tracing",
        }
    }
}

/// Where a chapter's quiz lives: `quizzes/<chapter stem>.toml` next to the chapter.
pub fn quiz_path(chapter: &Path) -> PathBuf {
    let stem = chapter.file_stem().expect("a chapter file has a name");
    chapter
        .parent()
        .expect("a chapter is in a part folder")
        .join("quizzes")
        .join(stem)
        .with_extension("toml")
}

/// Every quiz file under `src_dir`, sorted: `src/<part>/quizzes/*.toml`.
pub fn quiz_files(src_dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(parts) = std::fs::read_dir(src_dir) else {
        return files;
    };
    for part in parts.flatten() {
        let quizzes = part.path().join("quizzes");
        let Ok(entries) = std::fs::read_dir(&quizzes) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path
                .extension()
                .is_some_and(|extension| extension == "toml")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Reads a quiz file, or says what is wrong with it (file and question named).
pub fn load(path: &Path) -> Result<Vec<Question>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    parse(&text).map_err(|error| format!("{}: {error}", path.display()))
}

/// Parses the text of a quiz file.
pub fn parse(text: &str) -> Result<Vec<Question>, String> {
    let document: toml::Table = text.parse().map_err(|error| format!("not TOML: {error}"))?;
    let questions = document
        .get("questions")
        .and_then(toml::Value::as_array)
        .ok_or("no [[questions]] array")?;
    questions
        .iter()
        .enumerate()
        .map(|(index, question)| {
            question_from(question).map_err(|error| format!("question {}: {error}", index + 1))
        })
        .collect()
}

fn question_from(value: &toml::Value) -> Result<Question, String> {
    let table = value.as_table().ok_or("not a table")?;
    let text = |table: &toml::Table, key: &str| -> Result<String, String> {
        table
            .get(key)
            .and_then(toml::Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("`{key}` is missing or not a string"))
    };
    let sub = |key: &str| -> Result<&toml::Table, String> {
        table
            .get(key)
            .and_then(toml::Value::as_table)
            .ok_or_else(|| format!("`{key}` is missing or not a table"))
    };
    let strings = |value: Option<&toml::Value>, key: &str| -> Result<Vec<String>, String> {
        match value {
            None => Ok(Vec::new()),
            Some(toml::Value::String(one)) => Ok(vec![one.clone()]),
            Some(toml::Value::Array(many)) => many
                .iter()
                .map(|item| {
                    item.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| format!("`{key}` holds something other than strings"))
                })
                .collect(),
            Some(_) => Err(format!("`{key}` is neither a string nor a list of strings")),
        }
    };
    let id = text(table, "id")?;
    let context = text(table, "context")?;
    let prompt = sub("prompt")?;
    let answer = sub("answer")?;
    let kind_name = text(table, "type")?;
    let (prompt_text, kind) = match kind_name.as_str() {
        "MultipleChoice" => {
            let answers = strings(answer.get("answer"), "answer.answer")?;
            let distractors = strings(prompt.get("distractors"), "prompt.distractors")?;
            (
                text(prompt, "prompt")?,
                Kind::MultipleChoice {
                    answers,
                    distractors,
                },
            )
        }
        "ShortAnswer" => (
            text(prompt, "prompt")?,
            Kind::ShortAnswer {
                answer: text(answer, "answer")?,
                alternatives: strings(answer.get("alternatives"), "answer.alternatives")?,
            },
        ),
        "Tracing" => {
            let does_compile = answer
                .get("doesCompile")
                .and_then(toml::Value::as_bool)
                .ok_or("`answer.doesCompile` is missing or not a boolean")?;
            let line_number = match answer.get("lineNumber") {
                None => None,
                Some(value) => Some(
                    value
                        .as_integer()
                        .and_then(|line| usize::try_from(line).ok())
                        .ok_or("`answer.lineNumber` is not a line number")?,
                ),
            };
            let stdout = answer
                .get("stdout")
                .map(|value| value.as_str().map(str::to_string))
                .map(|value| value.ok_or("`answer.stdout` is not a string"))
                .transpose()?;
            // A tracing question asks about a program; its prompt text is optional.
            let prompt_text = prompt
                .get("prompt")
                .and_then(toml::Value::as_str)
                .unwrap_or_default()
                .to_string();
            (
                prompt_text,
                Kind::Tracing {
                    program: text(prompt, "program")?,
                    does_compile,
                    stdout,
                    line_number,
                },
            )
        }
        other => return Err(format!("unknown question type `{other}`")),
    };
    Ok(Question {
        id,
        prompt: prompt_text,
        context,
        kind,
    })
}

/// A choice as a test writes an outcome: without the surrounding backticks that make it code
/// on the page.
pub fn plain(choice: &str) -> String {
    let choice = choice.trim();
    // Only a choice that is one code span loses its marks: "`A→B` with `B→A`" stays whole.
    choice
        .strip_prefix('`')
        .and_then(|inner| inner.strip_suffix('`'))
        .filter(|inner| !inner.contains('`'))
        .unwrap_or(choice)
        .to_string()
}

/// The right answers and the offered choices of the multiple-choice question `id` in the quiz
/// file `path`, each as [`plain`] text.
pub fn choices(path: &Path, id: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let questions = load(path).unwrap_or_else(|error| panic!("{error}"));
    let question = questions
        .iter()
        .find(|question| question.id == id)
        .unwrap_or_else(|| panic!("{} has no question with id {id}", path.display()));
    let Kind::MultipleChoice {
        answers,
        distractors,
    } = &question.kind
    else {
        panic!("question {id} of {} is not multiple choice", path.display());
    };
    let answers: BTreeSet<String> = answers.iter().map(|answer| plain(answer)).collect();
    let offered = answers
        .iter()
        .cloned()
        .chain(distractors.iter().map(|choice| plain(choice)))
        .collect();
    (answers, offered)
}

/// Fails unless the answer key of question `id` in `path` is exactly `observed`: the set of
/// outcomes that a model checker or a run of the listing's code produced. Each observed outcome
/// must also be one of the choices, or the question could not be answered right.
pub fn assert_answer_key(path: &Path, id: &str, observed: &BTreeSet<String>) {
    let (answers, offered) = choices(path, id);
    let not_offered: Vec<&String> = observed.difference(&offered).collect();
    assert!(
        not_offered.is_empty(),
        "question {id} of {}: the code produced {not_offered:?}, which is not among its \
         choices {offered:?}",
        path.display()
    );
    assert_eq!(
        &answers,
        observed,
        "question {id} of {}: the answer key (left) differs from the outcomes the listing's \
         code produced (right)",
        path.display()
    );
}
