//! The chapters' quizzes in a real browser (headless Chromium over WebDriver): a reader answers
//! one quiz wrongly, retries it and answers rightly, sees every explanation, reloads the page
//! and finds the answers kept, and the progress page shows the score; every quiz page, in every
//! mdBook theme, loads with no console error, fetches nothing from anywhere but the book
//! itself, defines no telemetry hook, and shows its quiz readably before and after it is started:
//! text at WCAG's 4.5:1 contrast, and code on the same background as the page's own code blocks,
//! for which each theme's highlight colours were made.
//!
//! Set `BOOK_QUIZ_SCREENSHOTS=<folder>` to keep a screenshot of each quiz page's quiz in every
//! theme, to look at what the contrast check measured.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use book_tests::browser::{ChromeDriver, Serving, StaticServer, severe_console_entries};
use book_tests::quiz::{self, Kind, Question};
use book_tests::site::{self, BuiltBook, THEMES};
use book_tests::src_dir;
use fantoccini::Client;
use serde_json::{Value, json};

/// The whole browser test must finish within this, whatever hangs.
const WHOLE_RUN: Duration = Duration::from_secs(600);
/// How long one step (a page load, the quiz appearing, a question being replaced) may take.
const WAIT: Duration = Duration::from_secs(30);
/// Text must stand out from its background at least this much (WCAG 2 AA, normal text).
const TEXT_CONTRAST: f64 = 4.5;
/// The quiz the reader answers: multiple choice and short answer only, so every answer can be
/// given by a click or a typed line.
const ANSWERED: &str = "part2/quizzes/ch08-lock-free-structures.toml";

fn scratch() -> &'static Path {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
}

/// The built page of the chapter a quiz file belongs to: `part2/ch08-….html`.
fn page_of(quiz_file: &Path) -> String {
    let stem = quiz_file
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("a quiz file has a name");
    let part = quiz_file
        .parent()
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .and_then(|s| s.to_str())
        .expect("quizzes/ is inside a part folder");
    format!("{part}/{stem}.html")
}

/// Starts the book, its server, chromedriver and a browser session, runs `steps`, and fails
/// the test with what they report.
fn with_browser<F>(name: &str, steps: F)
where
    F: AsyncFnOnce(&Client, &str, &BuiltBook) -> Result<Vec<String>, String>,
{
    let (chromium, chromedriver) = site::require_browser("to open the built book");
    site::require_tool(&["mdbook-quiz"], "by mdbook to turn {{#quiz}} into a quiz");
    let book = BuiltBook::build(scratch(), name);
    let server = StaticServer::start(
        book.dir(),
        Serving {
            isolate: false,
            cache_assets: true,
        },
    );
    // A scratch folder per test: the browser profile is named after the process, and the
    // tests of this file run in one process, in parallel.
    let profiles = scratch().join(name);
    std::fs::create_dir_all(&profiles).expect("a scratch folder");
    let driver = ChromeDriver::start(&chromedriver, &profiles);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let outcome = runtime.block_on(async {
        tokio::time::timeout(WHOLE_RUN, async {
            let client = driver.connect(&chromium, "1280,1024", WAIT).await?;
            let result = steps(&client, server.origin(), &book).await;
            let _ = client.close().await;
            result
        })
        .await
    });
    match outcome {
        Err(_) => panic!(
            "the quiz checks did not finish within {} s",
            WHOLE_RUN.as_secs()
        ),
        Ok(Err(error)) => panic!("the quiz checks could not run: {error}"),
        Ok(Ok(problems)) => assert!(
            problems.is_empty(),
            "{} problem(s) with the quizzes in the browser:\n  {}",
            problems.len(),
            problems.join("\n  ")
        ),
    }
}

async fn script(client: &Client, code: &str, args: Vec<Value>) -> Result<Value, String> {
    client
        .execute(code, args)
        .await
        .map_err(|error| format!("a script failed: {error}\n{code}"))
}

/// Polls `code` (a function body returning a truthy value when done) until it holds or
/// [`WAIT`] has passed; returns whether it held.
async fn wait_for(client: &Client, code: &str, args: Vec<Value>) -> Result<bool, String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let value = script(client, code, args.clone()).await?;
        if value.as_bool() == Some(true) {
            return Ok(true);
        }
        if Instant::now() > deadline {
            return Ok(false);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The text of the quiz on the page (empty until the quiz has been drawn).
const QUIZ_TEXT: &str = "const quiz = document.querySelector('.mdbook-quiz');
     return quiz ? quiz.innerText : '';";

/// Whether the quiz shows the text `arguments[0]` (white space collapsed).
const HAS_TEXT: &str = "const quiz = document.querySelector('.mdbook-quiz');
     return !!quiz && quiz.innerText.replace(/\\s+/g, ' ').includes(arguments[0]);";

/// Gives the answer a reader would: `right` or a wrong one. Returns a description of what it
/// could not do, if anything.
const ANSWER: &str = r#"
const [kind, values, text] = arguments;
const form = document.querySelector('.mdbook-quiz form');
if (!form) return 'no question form on the page';
if (kind === 'choice') {
    const inputs = [...form.querySelectorAll('input[type=radio], input[type=checkbox]')];
    for (const input of inputs) {
        if (input.checked !== values.includes(input.value)) input.click();
    }
    const missing = values.filter(v => !inputs.some(i => i.value === v));
    if (missing.length) return 'no choice with the value ' + JSON.stringify(missing)
        + ' among ' + JSON.stringify(inputs.map(i => i.value));
} else {
    const field = form.querySelector('input[type=text], textarea');
    if (!field) return 'no text field for a short answer';
    // Set the value the way typing does, so the form library sees the change.
    const prototype = Object.getPrototypeOf(field);
    Object.getOwnPropertyDescriptor(prototype, 'value').set.call(field, text);
    field.dispatchEvent(new Event('input', { bubbles: true }));
    field.dispatchEvent(new Event('change', { bubbles: true }));
}
const submit = form.querySelector('input[type=submit], button[type=submit]');
if (!submit) return 'no submit button';
submit.click();
return '';
"#;

/// Clicks the quiz's button whose text is `arguments[0]`; false if there is none.
const CLICK_BUTTON: &str = "const label = arguments[0];
     const button = [...document.querySelectorAll('.mdbook-quiz button')]
         .find(b => b.textContent.trim() === label);
     if (!button) return false;
     button.click();
     return true;";

/// Answers the question on screen, `right` or not, and waits until it is replaced by the next
/// one (or by the review).
async fn answer(
    client: &Client,
    question: &Question,
    right: bool,
    before: &str,
) -> Result<(), String> {
    let (kind, values, text) = match &question.kind {
        Kind::MultipleChoice {
            answers,
            distractors,
        } => {
            let values = if right {
                answers.clone()
            } else {
                vec![distractors[0].clone()]
            };
            ("choice", values, String::new())
        }
        Kind::ShortAnswer { answer, .. } => {
            let text = if right {
                answer.clone()
            } else {
                "not the answer".to_string()
            };
            ("text", Vec::new(), text)
        }
        Kind::Tracing { .. } => {
            return Err(format!(
                "{ANSWERED} should hold no tracing question (question {})",
                question.id
            ));
        }
    };
    let failed = script(
        client,
        ANSWER,
        vec![json!(kind), json!(values), json!(text)],
    )
    .await?;
    if failed.as_str() != Some("") {
        return Err(format!("cannot answer question {}: {failed}", question.id));
    }
    let changed = wait_for(
        client,
        "const quiz = document.querySelector('.mdbook-quiz');
         return !!quiz && quiz.innerText !== arguments[0];",
        vec![json!(before)],
    )
    .await?;
    if !changed {
        return Err(format!(
            "after answering question {}, the quiz did not move on",
            question.id
        ));
    }
    Ok(())
}

/// The first words of an explanation as the page shows them: Markdown marks dropped.
fn shown_start(markdown: &str) -> String {
    markdown
        .replace(['`', '*', '_'], "")
        .split_whitespace()
        .take(6)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Collapses white space, so text the browser laid out compares with text from the file.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_reader_answers_wrongly_then_rightly_and_finds_the_answers_kept() {
    let quiz_file = src_dir().join(ANSWERED);
    let questions = quiz::load(&quiz_file).unwrap_or_else(|error| panic!("{error}"));
    let page = page_of(&quiz_file);
    let stem = quiz_file
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("a name")
        .to_string();
    with_browser("quiz-answers", async |client, origin, _book| {
        let mut problems = Vec::new();
        let url = format!("{origin}/{page}");
        client
            .goto(&url)
            .await
            .map_err(|error| format!("cannot open {url}: {error}"))?;
        // A fresh profile: nothing answered yet.
        script(client, "localStorage.clear(); return true;", vec![]).await?;
        client.refresh().await.map_err(|error| error.to_string())?;
        if !wait_for(
            client,
            "return !!document.querySelector('.mdbook-quiz button.start');",
            vec![],
        )
        .await?
        {
            return Err(format!("{page}: the quiz never showed its Start button"));
        }
        let telemetry = script(client, "return typeof window.telemetry;", vec![]).await?;
        if telemetry != json!("undefined") {
            problems.push(format!("{page}: window.telemetry is defined ({telemetry})"));
        }

        // First attempt: every answer wrong.
        script(client, CLICK_BUTTON, vec![json!("Start")]).await?;
        for question in &questions {
            let before = script(client, QUIZ_TEXT, vec![]).await?;
            answer(client, question, false, before.as_str().unwrap_or("")).await?;
        }
        let score = format!("You answered 0/{} questions correctly", questions.len());
        if !wait_for(client, HAS_TEXT, vec![json!(score)]).await? {
            let text = script(client, QUIZ_TEXT, vec![]).await?;
            return Err(format!(
                "after wrong answers, no \"{score}\" in the quiz:\n{text}"
            ));
        }

        // Retry: the wrong questions come back, and this time every answer is right.
        if !script(client, CLICK_BUTTON, vec![json!("retry the quiz")])
            .await?
            .as_bool()
            .unwrap_or(false)
        {
            let text = script(client, QUIZ_TEXT, vec![]).await?;
            return Err(format!(
                "no \"retry the quiz\" button after a wrong attempt:\n{text}"
            ));
        }
        for question in &questions {
            let before = script(client, QUIZ_TEXT, vec![]).await?;
            answer(client, question, true, before.as_str().unwrap_or("")).await?;
        }
        let score = format!("You answered {0}/{0} questions correctly", questions.len());
        if !wait_for(client, HAS_TEXT, vec![json!(score)]).await? {
            let text = script(client, QUIZ_TEXT, vec![]).await?;
            return Err(format!(
                "after right answers, no \"{score}\" in the quiz:\n{text}"
            ));
        }
        // The review explains every answer.
        let text = squeeze(
            script(client, QUIZ_TEXT, vec![])
                .await?
                .as_str()
                .unwrap_or(""),
        );
        for question in &questions {
            let start = shown_start(&question.context);
            if !text.contains(&start) {
                problems.push(format!(
                    "{page}: the review does not show the explanation of question {} (\"{start}…\")",
                    question.id
                ));
            }
        }

        // Reload: the answers are kept in this browser and shown again.
        client.refresh().await.map_err(|error| error.to_string())?;
        if !wait_for(client, HAS_TEXT, vec![json!(score)]).await? {
            let text = script(client, QUIZ_TEXT, vec![]).await?;
            problems.push(format!(
                "{page}: after a reload the answers are gone:\n{text}"
            ));
        }
        let stored = script(
            client,
            "return localStorage.getItem('mdbook-quiz:' + arguments[0]);",
            vec![json!(stem)],
        )
        .await?;
        if stored.is_null() {
            problems.push(format!("{page}: nothing kept under mdbook-quiz:{stem}"));
        }

        // The progress page reads the same storage.
        let progress = format!("{origin}/progress.html");
        client
            .goto(&progress)
            .await
            .map_err(|error| format!("cannot open {progress}: {error}"))?;
        let cell = script(
            client,
            "const cell = document.querySelector(`.quiz-score[data-quiz='${arguments[0]}']`);
             return cell ? cell.textContent : null;",
            vec![json!(stem)],
        )
        .await?;
        let expected = format!("{0} of {0} right", questions.len());
        if cell != json!(expected) {
            problems.push(format!(
                "progress.html shows {cell} for {stem}, not \"{expected}\""
            ));
        }
        let untouched = script(
            client,
            "return document.querySelector(`.quiz-score[data-quiz='ch01-concurrency-is-not-parallelism']`).textContent;",
            vec![],
        )
        .await?;
        if untouched != json!("not started") {
            problems.push(format!(
                "progress.html shows {untouched} for a quiz never opened"
            ));
        }
        // The print page holds every chapter: each quiz must be drawn there, once.
        let print = format!("{origin}/print.html");
        client
            .goto(&print)
            .await
            .map_err(|error| format!("cannot open {print}: {error}"))?;
        let quizzes = quiz::quiz_files(&src_dir()).len();
        // One copy of the quiz script, inside the book: a copy per chapter would draw every
        // quiz once per copy.
        let drawn_once = "const placeholders = document.querySelectorAll('.quiz-placeholder');
             const scripts = [...document.querySelectorAll('script[src$=\"quiz-embed.iife.js\"]')];
             return placeholders.length === arguments[0]
                 && [...placeholders].every(p => p.querySelectorAll('.mdbook-quiz').length === 1)
                 && scripts.length === 1
                 && scripts[0].src === location.origin + '/quiz/quiz-embed.iife.js';";
        if !wait_for(client, drawn_once, vec![json!(quizzes)]).await? {
            let seen = script(
                client,
                "return {
                     drawn: [...document.querySelectorAll('.quiz-placeholder')]
                         .map(p => p.querySelectorAll('.mdbook-quiz').length),
                     scripts: [...document.querySelectorAll('script[src$=\"quiz-embed.iife.js\"]')]
                         .map(s => s.src),
                 };",
                vec![],
            )
            .await?;
            problems.push(format!(
                "print.html does not load the quiz script once from the book and draw each of the \
                 {quizzes} quizzes once: {seen}"
            ));
        }
        for error in severe_console_entries(client).await? {
            problems.push(format!("console error: {error}"));
        }
        println!(
            "answered the {} questions of {page} wrongly, then rightly; explanations shown, \
             answers kept across a reload, score on the progress page, every quiz drawn once \
             on the print page",
            questions.len()
        );
        Ok(problems)
    });
}

/// Measures the contrast of every piece of text inside the quiz against the background it is
/// drawn on (the first opaque background up the tree), and lists where the page fetched
/// anything from. Returns `{lowest, where, samples, foreign}`.
const QUIZ_PROBE: &str = r#"
const parse = c => (c.match(/[\d.]+/g) || []).map(Number);
const luminance = ([r, g, b]) => {
    const lin = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
};
const background = element => {
    for (let e = element; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c;
    }
    return [255, 255, 255];
};
// Code is held to the page's own standard: the quiz must draw it on the background of the
// page's code blocks, where the theme's highlight colours were chosen to be read.
const reference = document.createElement('pre');
reference.innerHTML = '<code class="hljs">x</code>';
document.querySelector('main').appendChild(reference);
const codeBackground = background(reference.firstChild).slice(0, 3).join(', ');
reference.remove();
const quiz = document.querySelector('.mdbook-quiz');
let lowest = Infinity, where = '', samples = 0, code = 0, codeProblem = '';
if (quiz) {
    const walker = document.createTreeWalker(quiz, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent.trim();
        const element = node.parentElement;
        if (!text || !element || element.offsetParent === null) continue;
        const style = getComputedStyle(element);
        if (style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
        const fg = parse(style.color), bg = background(element);
        if (element.closest('pre')) {
            code++;
            const drawnOn = bg.slice(0, 3).join(', ');
            if (drawnOn !== codeBackground && !codeProblem) {
                codeProblem = 'code drawn on rgb(' + drawnOn + '), the page\'s code blocks on rgb('
                    + codeBackground + '): ' + text.slice(0, 60);
            }
            continue;
        }
        const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
        const ratio = (a + 0.05) / (b + 0.05);
        samples++;
        if (ratio < lowest) { lowest = ratio; where = text.slice(0, 60) + ' (' + style.color + ' on rgb(' + bg.slice(0, 3).join(', ') + '))'; }
    }
}
const foreign = performance.getEntriesByType('resource')
    .map(entry => entry.name)
    .filter(name => !name.startsWith(location.origin) && !name.startsWith('data:') && !name.startsWith('blob:'));
return { lowest: samples ? lowest : null, where, samples, code, codeProblem, foreign };
"#;

#[test]
fn every_quiz_page_is_quiet_offline_and_readable_in_every_theme() {
    let files = quiz::quiz_files(&src_dir());
    assert!(!files.is_empty(), "no quiz files");
    let screenshots = std::env::var_os("BOOK_QUIZ_SCREENSHOTS").map(PathBuf::from);
    if let Some(dir) = &screenshots {
        std::fs::create_dir_all(dir).expect("can create the screenshot folder");
    }
    with_browser("quiz-themes", async |client, origin, _book| {
        let mut problems = Vec::new();
        let mut loads = 0;
        let started = Instant::now();
        let mut lowest = f64::INFINITY;
        client
            .goto(&format!("{origin}/index.html"))
            .await
            .map_err(|error| error.to_string())?;
        for theme in THEMES {
            // The theme menu keeps the choice in localStorage; a cleared quiz state keeps
            // every quiz at its Start screen.
            script(
                client,
                "localStorage.clear(); localStorage.setItem('mdbook-theme', arguments[0]); return true;",
                vec![json!(theme)],
            )
            .await?;
            for file in &files {
                let page = page_of(file);
                let url = format!("{origin}/{page}");
                client
                    .goto(&url)
                    .await
                    .map_err(|error| format!("cannot open {url}: {error}"))?;
                loads += 1;
                if !wait_for(
                    client,
                    "return !!document.querySelector('.mdbook-quiz button.start');",
                    vec![],
                )
                .await?
                {
                    problems.push(format!("theme {theme}, {page}: the quiz was never drawn"));
                    continue;
                }
                script(
                    client,
                    "document.querySelector('.mdbook-quiz').scrollIntoView(); return true;",
                    vec![],
                )
                .await?;
                let mut views = vec![("start", script(client, QUIZ_PROBE, vec![]).await?)];
                // The first question, as a reader sees it after pressing Start.
                script(client, CLICK_BUTTON, vec![json!("Start")]).await?;
                if wait_for(
                    client,
                    "return !!document.querySelector('.mdbook-quiz form');",
                    vec![],
                )
                .await?
                {
                    views.push(("question", script(client, QUIZ_PROBE, vec![]).await?));
                } else {
                    problems.push(format!("theme {theme}, {page}: Start showed no question"));
                }
                for (view, probe) in &views {
                    match probe["lowest"].as_f64() {
                        None => problems.push(format!(
                            "theme {theme}, {page}: no quiz text to measure at {view}"
                        )),
                        Some(ratio) => {
                            lowest = lowest.min(ratio);
                            if ratio < TEXT_CONTRAST {
                                problems.push(format!(
                                    "theme {theme}, {page}, {view}: contrast {ratio:.2} below \
                                     {TEXT_CONTRAST}: {}",
                                    probe["where"]
                                ));
                            }
                        }
                    }
                    if let Some(problem) = probe["codeProblem"].as_str()
                        && !problem.is_empty()
                    {
                        problems.push(format!("theme {theme}, {page}, {view}: {problem}"));
                    }
                    if let Some(foreign) = probe["foreign"].as_array()
                        && !foreign.is_empty()
                    {
                        problems.push(format!(
                            "theme {theme}, {page}: fetched from outside the book: {foreign:?}"
                        ));
                    }
                }
                if let Some(dir) = &screenshots {
                    let png = client
                        .screenshot()
                        .await
                        .map_err(|error| format!("screenshot: {error}"))?;
                    let name = format!("{theme}-{}.png", page.replace('/', "-"));
                    std::fs::write(dir.join(name), png).map_err(|error| error.to_string())?;
                }
                for error in severe_console_entries(client).await? {
                    problems.push(format!("theme {theme}, {page}: console error: {error}"));
                }
            }
        }
        println!(
            "{} quiz pages in {} themes ({loads} loads): no console error, nothing fetched from \
             outside, lowest text contrast {lowest:.2}, in {:.1} s",
            files.len(),
            THEMES.len(),
            started.elapsed().as_secs_f64()
        );
        Ok(problems)
    });
}
