//! The scheduler puzzles of chapters 3, 5, 7 and 8, played in headless Chromium the way a
//! reader plays them: one puzzle per chapter is stepped to its goal by clicking the threads'
//! buttons, the drawn state is compared after every step with the native build of the same
//! Rust (`scheduler-stepper`), and the list behind "Show all outcomes" must be the native
//! enumeration. Any console entry, at any level, fails the test.
//!
//! The WebAssembly module comes from `cargo xtask build` (or `serve`, or `test`); when it is
//! missing or older than the listing's source, the test fails and says so.

use std::path::Path;
use std::time::Duration;

use book_tests::browser::{self, ChromeDriver, Serving, StaticServer};
use book_tests::site::{self, BuiltBook};
use fantoccini::{Client, Locator};
use scheduler_stepper::{Stepper, describe_schedule, enumerate, puzzle, reaches_goal};
use serde_json::{Value, json};

const MODULE: &str = "src/stepper/wasm/scheduler_stepper.wasm";
/// The whole browser run, whatever hangs.
const WHOLE_RUN: Duration = Duration::from_secs(240);
/// One page load or script; generous for a busy two-core machine.
const WAIT: Duration = Duration::from_secs(60);

/// One puzzle per chapter, its page, and the theme it is played in.
const PLAYED: [(&str, &str, &str); 4] = [
    (
        "ch03-check-then-act",
        "part1/ch03-coordination-needs-communication.html",
        "light",
    ),
    (
        "ch05-deadlock",
        "part2/ch05-threads-and-shared-state.html",
        "navy",
    ),
    (
        "ch07-relaxed-flag",
        "part2/ch07-atomics-and-memory-ordering.html",
        "ayu",
    ),
    (
        "ch08-lost-push",
        "part2/ch08-lock-free-structures.html",
        "coal",
    ),
];

fn scratch() -> &'static Path {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
}

/// The module the pages load must exist and be newer than the Rust it comes from.
fn require_fresh_module() {
    site::require_fresh_wasm("listings/scheduler-stepper/src", &[MODULE]);
}

#[test]
fn one_puzzle_per_chapter_is_played_to_its_goal_and_its_outcomes_match_the_native_build() {
    require_fresh_module();
    let (chromium, chromedriver) = site::require_browser("to play the scheduler puzzles");
    let book = BuiltBook::build(scratch(), "browser-stepper");
    let server = StaticServer::start(
        book.dir(),
        Serving {
            isolate: false,
            cache_assets: false,
        },
    );
    let driver = ChromeDriver::start(&chromedriver, scratch());
    let origin = server.origin();
    driver.run_session(
        &chromium,
        WAIT,
        WHOLE_RUN,
        "the puzzles did not finish",
        |client| async move {
            for (id, page, theme) in PLAYED {
                play(&client, origin, page, theme, id).await?;
            }
            Ok(())
        },
    );
}

async fn script(client: &Client, code: &str, args: Vec<Value>) -> Result<Value, String> {
    client
        .execute(code, args)
        .await
        .map_err(|error| format!("script failed: {error}\n{code}"))
}

/// Opens `page` in `theme`, plays the first schedule the native enumerator finds to the
/// puzzle's goal, checking the page after every step, then compares the outcome lists.
async fn play(
    client: &Client,
    origin: &str,
    page: &str,
    theme: &str,
    id: &str,
) -> Result<(), String> {
    let puzzle = puzzle(id)?;
    client
        .goto(&format!("{origin}/index.html"))
        .await
        .map_err(|error| format!("cannot open {origin}: {error}"))?;
    script(
        client,
        "localStorage.setItem('mdbook-theme', arguments[0]);",
        vec![json!(theme)],
    )
    .await?;
    client
        .goto(&format!("{origin}/{page}"))
        .await
        .map_err(|error| format!("cannot open {page}: {error}"))?;
    let root = format!("div.stepper[data-puzzle=\"{id}\"]");
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&format!("{root}[data-state=\"ready\"]")))
        .await
        .map_err(|error| format!("{page}: puzzle {id} was never drawn: {error}"))?;

    let found = enumerate(puzzle);
    let (goal, schedule) = found
        .outcomes
        .iter()
        .find(|(outcome, _)| reaches_goal(puzzle, outcome))
        .ok_or_else(|| format!("{id}: the native enumerator finds no way to the goal"))?;
    let mut native = Stepper::new(puzzle);
    check_drawn(client, &root, &native).await?;
    for &m in schedule {
        let button = format!("{root} button[data-key=\"step-{}-{}\"]", m.thread, m.choice);
        client
            .find(Locator::Css(&button))
            .await
            .map_err(|error| format!("{id}: no button {button}: {error}"))?
            .click()
            .await
            .map_err(|error| format!("{id}: cannot click {button}: {error}"))?;
        native.step(m)?;
        check_drawn(client, &root, &native).await?;
        // The keyboard stays in the puzzle: focus is on a button of it after each step.
        let focused = script(
            client,
            "const a = document.activeElement;
             return a.tagName === 'BUTTON' && a.closest('div.stepper') ===
                    document.querySelector(arguments[0]);",
            vec![json!(root)],
        )
        .await?;
        if focused != json!(true) {
            return Err(format!(
                "{id}: after a step the focus left the puzzle's buttons"
            ));
        }
    }
    let drawn = script(
        client,
        "const r = document.querySelector(arguments[0]);
         return [r.dataset.outcome, r.dataset.reached];",
        vec![json!(root)],
    )
    .await?;
    if drawn != json!([goal.to_string(), "true"]) {
        return Err(format!(
            "{id}: the page ends at {drawn}, not the goal {goal}"
        ));
    }

    // Every step button is labelled with its thread and step.
    client
        .find(Locator::Css(&format!(
            "{root} button[data-key=\"restart\"]"
        )))
        .await
        .map_err(|error| format!("{id}: no restart button: {error}"))?
        .click()
        .await
        .map_err(|error| format!("{id}: cannot restart: {error}"))?;
    let labels = script(
        client,
        "return [...document.querySelectorAll(arguments[0] + ' button.stepper-step')]
             .map((b) => b.getAttribute('aria-label'));",
        vec![json!(root)],
    )
    .await?;
    for (t, thread) in puzzle.threads.iter().enumerate() {
        let prefix = format!("Step {}: ", thread.name);
        let labelled = labels.as_array().is_some_and(|all| {
            all.iter()
                .filter_map(Value::as_str)
                .any(|l| l.starts_with(&prefix))
        });
        if !labelled {
            return Err(format!(
                "{id}: thread {t} has no button labelled {prefix:?}: {labels}"
            ));
        }
    }

    client
        .find(Locator::Css(&format!(
            "{root} button[data-key=\"outcomes\"]"
        )))
        .await
        .map_err(|error| format!("{id}: no 'Show all outcomes' button: {error}"))?
        .click()
        .await
        .map_err(|error| format!("{id}: cannot show the outcomes: {error}"))?;
    let listed = script(
        client,
        "const box = document.querySelector(arguments[0] + ' .stepper-outcomes');
         return [box.dataset.executions,
                 [...box.querySelectorAll('li[data-outcome]')]
                     .map((li) => [li.dataset.outcome, li.dataset.goal])];",
        vec![json!(root)],
    )
    .await?;
    let expected: Vec<Value> = found
        .outcomes
        .keys()
        .map(|outcome| {
            json!([
                outcome.to_string(),
                reaches_goal(puzzle, outcome).to_string()
            ])
        })
        .collect();
    if listed != json!([found.executions.to_string(), expected]) {
        return Err(format!(
            "{id}: the page lists {listed}, the native enumerator {} executions and {expected:?}",
            found.executions
        ));
    }
    println!(
        "{id} ({theme}): played to its goal in {} steps; {} executions, {} final states, \
         as natively",
        schedule.len(),
        found.executions,
        found.outcomes.len()
    );

    let entries = browser::console_entries(client).await?;
    if !entries.is_empty() {
        let shown: Vec<String> = entries.iter().map(ToString::to_string).collect();
        return Err(format!("{page}: console entries: {shown:?}"));
    }
    Ok(())
}

/// The page draws what the native stepper holds: the schedule so far, every shared
/// variable's value, every thread's locals.
async fn check_drawn(client: &Client, root: &str, native: &Stepper) -> Result<(), String> {
    let puzzle = native.puzzle;
    let state = native.state();
    let drawn = script(
        client,
        "const r = document.querySelector(arguments[0]);
         const pairs = (attr) => [...r.querySelectorAll(`[${attr}]`)]
             .map((e) => [e.getAttribute(attr), e.dataset.value]);
         return [JSON.parse(r.dataset.moves), pairs('data-var'), pairs('data-local')];",
        vec![json!(root)],
    )
    .await?;
    let vars: Vec<Value> = (0..puzzle.vars.len())
        .map(|v| json!([puzzle.vars[v].0, state.newest(v).to_string()]))
        .collect();
    let locals: Vec<Value> = puzzle
        .threads
        .iter()
        .enumerate()
        .flat_map(|(t, thread)| {
            puzzle.locals(t).into_iter().map(move |local| {
                let value = state
                    .local(puzzle, t, local)
                    .map_or_else(|| "unset".to_string(), |v| v.to_string());
                json!([format!("{}.{local}", thread.name), value])
            })
        })
        .collect();
    let expected = json!([describe_schedule(puzzle, native.moves()), vars, locals]);
    if drawn != expected {
        return Err(format!(
            "{}: after {:?} the page draws {drawn}, the native stepper holds {expected}",
            puzzle.id,
            describe_schedule(puzzle, native.moves())
        ));
    }
    Ok(())
}
