//! The browser chapter's demos, run in headless Chromium the way a reader runs them: each
//! button pressed, each result read back from the page and checked against the native
//! build of the same Rust (`ch18-wasm-workers`): the picture's checksum, every row claimed
//! exactly once, no console errors. The shared-memory demo is run three ways: without
//! isolation (it must explain itself), after the reader turns isolation on (the service
//! worker route the hosted book uses), and from a server that sends COOP/COEP itself.
//! A last test runs the shared module under Node's `worker_threads`.
//!
//! The WebAssembly modules come from `cargo xtask build` (or `serve`, or `test`); when they
//! are missing or older than the listing's source, the tests fail and say so.
//! Set `BOOK_DEMO_SCREENSHOTS=<folder>` to keep screenshots of the demos in two themes.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use book_tests::browser::{self, ChromeDriver, Serving, StaticServer};
use book_tests::site::{self, BuiltBook};
use book_tests::workspace_root;
use ch18_wasm_workers::{Picture, checksum, render};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

const PAGE: &str = "part2/ch18-the-browser-as-a-concurrent-machine.html";
const MODULES: [&str; 2] = [
    "src/part2/demos/wasm/ch18_wasm_workers.wasm",
    "src/part2/demos/wasm/ch18_wasm_workers_shared.wasm",
];
/// The whole browser run, whatever hangs (a lost message would leave a demo waiting).
const WHOLE_RUN: Duration = Duration::from_secs(300);
/// One demo, from the click to its result; generous for a busy two-core machine.
const DEMO_LIMIT: Duration = Duration::from_secs(90);

fn scratch() -> &'static Path {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
}

/// The modules the pages load must exist and be newer than the Rust they come from.
fn require_fresh_modules() {
    site::require_fresh_wasm("listings/ch18-wasm-workers/src", &MODULES);
}

/// The checksum the page must report for the picture it says it drew.
fn native_checksum(page_picture: &Value) -> String {
    let number = |key: &str| {
        page_picture[key]
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or_else(|| panic!("the page's picture has no {key}: {page_picture}"))
    };
    let picture = Picture {
        width: number("width"),
        height: number("height"),
        max_iter: number("maxIter"),
    };
    assert_eq!(
        picture,
        Picture::DEMO,
        "the page draws a different picture from Picture::DEMO"
    );
    checksum(&render(&picture)).to_string()
}

#[test]
fn the_three_demos_run_in_the_page_and_match_the_native_build() {
    require_fresh_modules();
    let (chromium, chromedriver) = site::require_browser("to run the browser chapter's demos");
    let expected = native_checksum(&json!({
        "width": Picture::DEMO.width, "height": Picture::DEMO.height,
        "maxIter": Picture::DEMO.max_iter
    }));
    let book = BuiltBook::build(scratch(), "browser-demos");
    // Two origins: a plain static server like mdBook's, and one that sends the two
    // isolation headers. A service worker registered on one never touches the other.
    let plain = StaticServer::start(
        book.dir(),
        Serving {
            isolate: false,
            cache_assets: false,
        },
    );
    let isolating = StaticServer::start(
        book.dir(),
        Serving {
            isolate: true,
            cache_assets: false,
        },
    );
    let driver = ChromeDriver::start(&chromedriver, scratch());
    let shots = std::env::var_os("BOOK_DEMO_SCREENSHOTS").map(PathBuf::from);

    let (plain, isolating, expected) = (plain.origin(), isolating.origin(), &expected);
    driver.run_session(
        &chromium,
        DEMO_LIMIT,
        WHOLE_RUN,
        "the demos did not finish (a worker or a message was lost?)",
        |client| async move {
            let mut browser = Browser { client, shots };
            browser.every_demo(plain, isolating, expected).await
        },
    );
}

/// A machine without a wasm32 compiler gets the book without its WebAssembly modules
/// (`cargo xtask build` warns and goes on). That site is this one with its `wasm/`
/// folders removed: every page that loads a module must then say what was not built and
/// what to install, instead of failing in the console.
#[test]
fn without_the_modules_every_page_that_loads_one_says_what_to_install() {
    let (chromium, chromedriver) = site::require_browser("to open the pages without modules");
    let book = BuiltBook::build(scratch(), "browser-without-wasm");
    let removed = remove_wasm_folders(book.dir());
    assert!(
        removed.len() >= 2,
        "the site should hold the modules of the browser chapter and of the scheduler \
         puzzles, found only {removed:?}"
    );
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
        DEMO_LIMIT,
        WHOLE_RUN,
        "the pages did not answer",
        |client| async move {
            let mut browser = Browser {
                client,
                shots: None,
            };
            browser.without_modules(origin).await
        },
    );
}

/// Removes every folder named `wasm` that holds `.wasm` files; returns them.
fn remove_wasm_folders(site: &Path) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let mut pending = vec![site.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if !path.is_dir() {
                continue;
            }
            let holds_modules = path.file_name().is_some_and(|name| name == "wasm")
                && std::fs::read_dir(&path).is_ok_and(|mut files| {
                    files.any(|file| {
                        file.is_ok_and(|file| file.path().extension().is_some_and(|e| e == "wasm"))
                    })
                });
            if holds_modules {
                std::fs::remove_dir_all(&path)
                    .unwrap_or_else(|error| panic!("cannot remove {}: {error}", path.display()));
                removed.push(path);
            } else {
                pending.push(path);
            }
        }
    }
    removed
}

/// What every page must say when a module is missing: the two ways to get a compiler.
const HOW_TO_BUILD: [&str; 3] = [
    "was not built",
    "rustup component add rust-src",
    "rustc-web",
];

struct Browser {
    client: Client,
    shots: Option<PathBuf>,
}

impl Browser {
    async fn every_demo(
        &mut self,
        plain: &str,
        isolating: &str,
        expected: &str,
    ) -> Result<(), String> {
        // Without isolation: the first two demos run, the third explains why it cannot.
        self.open(plain, "light").await?;
        let isolated = self.script("return window.crossOriginIsolated;").await?;
        assert_eq!(
            isolated,
            json!(false),
            "a plain server must not isolate the page"
        );
        let explained = self
            .script(
                "const box = document.getElementById('ch18-isolation');
                 return [box.dataset.state, box.hidden, box.textContent.includes('cross-origin isolated'),
                         document.getElementById('ch18-shared-run').disabled];",
            )
            .await?;
        assert_eq!(
            explained,
            json!(["not-isolated", false, true, true]),
            "without isolation the shared-memory demo must show its explanation and stay off"
        );
        self.screenshot("ch18-isolation", "light-shared-not-isolated")
            .await?;
        for (button, place) in [
            ("ch18-freeze-main", "main"),
            ("ch18-freeze-worker", "worker"),
        ] {
            let result = self.press(button, "ch18-freeze-status").await?;
            assert_eq!(result["where"], json!(place));
            self.check_checksum(&result, expected, &format!("demo 1 ({place})"))?;
            println!(
                "demo 1, drawn on the {place}: longest pause between frames {} ms",
                result["pauseMs"].as_str().unwrap_or("?")
            );
        }
        self.screenshot("ch18-freeze", "light-freeze").await?;
        let tiles = self.press("ch18-tiles-run", "ch18-tiles-status").await?;
        self.check_runs(&tiles, expected, "demo 2 (tiles by message)")?;
        self.screenshot("ch18-tiles", "light-tiles").await?;
        self.no_console_errors("without isolation").await?;

        // The reader's route on the hosted book: the button registers coi-serviceworker,
        // which reloads the page with the two headers added.
        self.click("ch18-isolate").await?;
        if !self
            .wait_for("return window.crossOriginIsolated === true && document.getElementById('ch18-isolation').dataset.state === 'isolated';")
            .await?
        {
            return Err(format!(
                "after pressing 'Turn on isolation' the page did not become cross-origin \
                 isolated within {} s",
                DEMO_LIMIT.as_secs()
            ));
        }
        let shared = self.press("ch18-shared-run", "ch18-shared-status").await?;
        self.check_shared(&shared, expected, "demo 3 (isolated by the service worker)")?;
        self.no_console_errors("isolated by the service worker")
            .await?;

        // A server that sends COOP/COEP itself: isolated from the first load, in a dark theme.
        self.open(isolating, "navy").await?;
        let isolated = self.script("return window.crossOriginIsolated;").await?;
        assert_eq!(
            isolated,
            json!(true),
            "COOP/COEP headers must isolate the page"
        );
        let shared = self.press("ch18-shared-run", "ch18-shared-status").await?;
        self.check_shared(&shared, expected, "demo 3 (isolated by headers)")?;
        self.screenshot("ch18-shared", "navy-shared").await?;
        self.measure(expected).await?;
        if self.shots.is_some() {
            self.press("ch18-freeze-worker", "ch18-freeze-status")
                .await?;
            self.screenshot("ch18-freeze", "navy-freeze").await?;
            self.press("ch18-tiles-run", "ch18-tiles-status").await?;
            self.screenshot("ch18-tiles", "navy-tiles").await?;
            self.open(plain, "light").await?;
            self.press("ch18-shared-run", "ch18-shared-status").await?;
            self.screenshot("ch18-shared", "light-shared").await?;
        }
        self.no_console_errors("isolated by headers").await
    }

    /// With `BOOK_DEMO_ROUNDS=<n>`, runs demos 2 and 3 `n` more times, alternating, every
    /// run checked, and prints the fastest time for each number of workers: a busy machine
    /// slows single runs at random, and the fastest of several is closest to the work's cost.
    async fn measure(&mut self, expected: &str) -> Result<(), String> {
        let rounds: usize = std::env::var("BOOK_DEMO_ROUNDS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        if rounds == 0 {
            return Ok(());
        }
        let mut fastest: std::collections::BTreeMap<(&str, u64), u64> = Default::default();
        for round in 1..=rounds {
            for (demo, button, status) in [
                ("messages", "ch18-tiles-run", "ch18-tiles-status"),
                ("shared memory", "ch18-shared-run", "ch18-shared-status"),
            ] {
                let result = self.press(button, status).await?;
                self.check_runs(&result, expected, &format!("round {round}, {demo}"))?;
                for run in result["results"].as_array().into_iter().flatten() {
                    let key = (demo, run["workers"].as_u64().unwrap_or(0));
                    let ms = run["ms"].as_u64().unwrap_or(u64::MAX);
                    let best = fastest.entry(key).or_insert(ms);
                    *best = (*best).min(ms);
                }
            }
        }
        for ((demo, workers), ms) in &fastest {
            let one = fastest[&(*demo, 1)] as f64;
            println!(
                "fastest of {rounds}, {demo}: {workers} workers, {ms} ms, speedup {:.2}",
                one / *ms as f64
            );
        }
        Ok(())
    }

    /// The demos' buttons and a scheduler puzzle, on a site without modules.
    async fn without_modules(&mut self, origin: &str) -> Result<(), String> {
        self.open(origin, "light").await?;
        for (button, status) in [
            ("ch18-freeze-main", "ch18-freeze-status"),
            ("ch18-tiles-run", "ch18-tiles-status"),
        ] {
            self.press_until(button, status, "missing").await?;
            let said = self
                .script(&format!(
                    "return document.getElementById('{status}').textContent;"
                ))
                .await?;
            let said = said.as_str().unwrap_or_default();
            if let Some(absent) = HOW_TO_BUILD.iter().find(|words| !said.contains(*words)) {
                return Err(format!("#{status} does not say `{absent}`: {said}"));
            }
        }
        let page = "part1/ch03-coordination-needs-communication.html";
        self.client
            .goto(&format!("{origin}/{page}"))
            .await
            .map_err(|error| format!("cannot open {page}: {error}"))?;
        let explained = self
            .wait_for(&format!(
                "const p = document.querySelector('div.stepper[data-puzzle]');
                 return p !== null && p.dataset.state === 'missing'
                   && {};",
                HOW_TO_BUILD
                    .iter()
                    .map(|words| format!("p.textContent.includes({words:?})"))
                    .collect::<Vec<_>>()
                    .join(" && ")
            ))
            .await?;
        if !explained {
            let said = self
                .script(
                    "const p = document.querySelector('div.stepper'); return p && p.textContent;",
                )
                .await?;
            return Err(format!(
                "{page}: the puzzle does not explain the missing module: {said}"
            ));
        }
        Ok(())
    }

    async fn open(&mut self, origin: &str, theme: &str) -> Result<(), String> {
        // The theme is stored per origin: open the origin, store it, then load the page.
        self.client
            .goto(&format!("{origin}/index.html"))
            .await
            .map_err(|error| format!("cannot open {origin}: {error}"))?;
        self.client
            .execute(
                "localStorage.setItem('mdbook-theme', arguments[0]);",
                vec![json!(theme)],
            )
            .await
            .map_err(|error| format!("cannot store the theme: {error}"))?;
        self.client
            .goto(&format!("{origin}/{PAGE}"))
            .await
            .map_err(|error| format!("cannot open {PAGE}: {error}"))?;
        // The demos' module script has run once its buttons are wired up.
        if !self
            .wait_for("return document.getElementById('ch18-shared-status').dataset.state !== 'idle' || document.getElementById('ch18-isolation').dataset.state === 'isolated';")
            .await?
        {
            return Err(format!("{PAGE}: the demos' script never ran"));
        }
        Ok(())
    }

    /// Presses a demo's button and waits for its status line to say `done`; returns the
    /// status line's data attributes.
    async fn press(&mut self, button: &str, status: &str) -> Result<Value, String> {
        self.press_until(button, status, "done").await
    }

    /// Presses a demo's button and waits for its status line to reach a final state
    /// (`done`, `error`, or `missing` when a module was not built), which must be `wanted`.
    async fn press_until(
        &mut self,
        button: &str,
        status: &str,
        wanted: &str,
    ) -> Result<Value, String> {
        self.client
            .execute(
                "document.getElementById(arguments[0]).dataset.state = 'pressed';",
                vec![json!(status)],
            )
            .await
            .map_err(|error| format!("{status}: {error}"))?;
        self.click(button).await?;
        let done = self
            .wait_for(&format!(
                "const s = document.getElementById('{status}').dataset.state;
                 return s === 'done' || s === 'error' || s === 'missing';"
            ))
            .await?;
        let data = self
            .client
            .execute(
                "return Object.assign({}, document.getElementById(arguments[0]).dataset);",
                vec![json!(status)],
            )
            .await
            .map_err(|error| format!("{status}: {error}"))?;
        if !done || data["state"] != json!(wanted) {
            let log = self.console().await?;
            return Err(format!(
                "pressing #{button} did not end `{wanted}` within {} s: {data}; console: {log:?}",
                DEMO_LIMIT.as_secs()
            ));
        }
        // Numbers and lists were stored as JSON text; strings as they are.
        let fields = data.as_object().cloned().unwrap_or_default();
        Ok(Value::Object(
            fields
                .into_iter()
                .map(|(key, value)| {
                    let parsed = value
                        .as_str()
                        .and_then(|text| serde_json::from_str::<Value>(text).ok())
                        .filter(|parsed| parsed.is_object() || parsed.is_array())
                        .unwrap_or(value);
                    (key, parsed)
                })
                .collect(),
        ))
    }

    fn check_checksum(&self, result: &Value, expected: &str, what: &str) -> Result<(), String> {
        let native = native_checksum(&result["picture"]);
        assert_eq!(native, expected);
        if result["checksum"] != json!(expected) {
            return Err(format!(
                "{what}: the page's picture has checksum {} but the native build's is {expected}",
                result["checksum"]
            ));
        }
        Ok(())
    }

    fn check_runs(&self, result: &Value, expected: &str, what: &str) -> Result<(), String> {
        native_checksum(&result["picture"]);
        let runs = result["results"]
            .as_array()
            .ok_or_else(|| format!("{what}: no results in {result}"))?;
        let workers: Vec<_> = runs.iter().map(|run| run["workers"].clone()).collect();
        if !workers.starts_with(&[json!(1), json!(2), json!(4)]) {
            return Err(format!(
                "{what}: ran with {workers:?} workers, not 1, 2, 4, …"
            ));
        }
        for run in runs {
            if run["checksum"] != json!(expected) {
                return Err(format!(
                    "{what} with {} workers: checksum {} instead of the native build's {expected}",
                    run["workers"], run["checksum"]
                ));
            }
            println!(
                "{what}: {} workers, {} ms, speedup {:.2}",
                run["workers"],
                run["ms"],
                run["speedup"].as_f64().unwrap_or(0.0)
            );
        }
        Ok(())
    }

    fn check_shared(&self, result: &Value, expected: &str, what: &str) -> Result<(), String> {
        self.check_runs(result, expected, what)?;
        let height = u64::from(Picture::DEMO.height);
        for run in result["results"].as_array().into_iter().flatten() {
            let taken: Vec<u64> = run["taken"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_u64)
                .collect();
            let workers = run["workers"].as_u64().unwrap_or(0);
            if taken.len() as u64 != workers
                || taken.iter().sum::<u64>() != height
                || run["total"] != json!(height)
                || run["eachRowOnce"] != json!(true)
            {
                return Err(format!(
                    "{what}: {workers} workers took {taken:?} rows (total {}), each row once: {}; \
                     {height} rows, each once, expected",
                    run["total"], run["eachRowOnce"]
                ));
            }
            // The counter went past the last row once per worker: each saw it run out.
            if run["counter"] != json!(height + workers) {
                return Err(format!(
                    "{what}: the row counter ended at {} with {workers} workers, not {}",
                    run["counter"],
                    height + workers
                ));
            }
        }
        Ok(())
    }

    async fn click(&self, id: &str) -> Result<(), String> {
        let element = self
            .client
            .find(Locator::Id(id))
            .await
            .map_err(|error| format!("no #{id} on the page: {error}"))?;
        // A button below the fold is still clickable once scrolled to.
        self.client
            .execute(
                "document.getElementById(arguments[0]).scrollIntoView({ block: 'center' });",
                vec![json!(id)],
            )
            .await
            .map_err(|error| format!("cannot scroll to #{id}: {error}"))?;
        element
            .click()
            .await
            .map_err(|error| format!("cannot click #{id}: {error}"))
    }

    async fn script(&self, script: &str) -> Result<Value, String> {
        self.client
            .execute(script, vec![])
            .await
            .map_err(|error| format!("a page script failed: {error}"))
    }

    /// Polls `script` until it returns `true`; `false` after [`DEMO_LIMIT`]. A page that is
    /// reloading between two polls counts as "not yet".
    async fn wait_for(&self, script: &str) -> Result<bool, String> {
        let deadline = Instant::now() + DEMO_LIMIT;
        while Instant::now() < deadline {
            if let Ok(value) = self.client.execute(script, vec![]).await
                && value == json!(true)
            {
                return Ok(true);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(false)
    }

    /// SEVERE console entries since the last look (reading empties chromedriver's log).
    async fn console(&self) -> Result<Vec<String>, String> {
        browser::severe_console_entries(&self.client).await
    }

    async fn no_console_errors(&self, when: &str) -> Result<(), String> {
        let errors = self.console().await?;
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("console errors {when}:\n  {}", errors.join("\n  ")))
        }
    }

    async fn screenshot(&self, element: &str, name: &str) -> Result<(), String> {
        let Some(dir) = &self.shots else {
            return Ok(());
        };
        std::fs::create_dir_all(dir).map_err(|error| format!("{}: {error}", dir.display()))?;
        self.client
            .execute(
                "document.getElementById(arguments[0]).scrollIntoView({ block: 'center' });",
                vec![json!(element)],
            )
            .await
            .map_err(|error| format!("cannot scroll to #{element}: {error}"))?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let png = self
            .client
            .screenshot()
            .await
            .map_err(|error| format!("cannot take a screenshot: {error}"))?;
        let file = dir.join(format!("{name}.png"));
        std::fs::write(&file, png).map_err(|error| format!("{}: {error}", file.display()))
    }
}

/// The shared module outside any browser: Node's worker_threads on one shared memory.
#[test]
fn the_shared_module_claims_every_row_once_under_node_worker_threads() {
    require_fresh_modules();
    let node = site::require_tool(
        &["node", "nodejs"],
        "to run the shared-memory module under worker_threads (Debian package `nodejs`, \
         installed by `cargo xtask setup`)",
    );
    let expected = u64::from(checksum(&render(&Picture::DEMO)));
    let script = workspace_root().join("src/part2/demos/node-shared-memory.mjs");
    let module = workspace_root().join("src/part2/demos/wasm/ch18_wasm_workers_shared.wasm");
    for workers in [1, 2, 3, 4] {
        let output = book_helpers::finishes_within(Duration::from_secs(120), {
            let (node, script, module) = (node.clone(), script.clone(), module.clone());
            move || {
                Command::new(node)
                    .arg(script)
                    .arg(module)
                    .arg(workers.to_string())
                    .output()
                    .expect("node starts")
            }
        });
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "node failed with {workers} workers ({}):\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        let result: Value = serde_json::from_str(stdout.trim())
            .unwrap_or_else(|error| panic!("node printed no JSON ({error}): {stdout}"));
        let height = u64::from(Picture::DEMO.height);
        assert_eq!(
            result["total"],
            json!(height),
            "{workers} workers: {result}"
        );
        assert_eq!(
            result["eachRowOnce"],
            json!(true),
            "{workers} workers: {result}"
        );
        assert_eq!(
            result["taken"].as_array().map(Vec::len),
            Some(workers),
            "{result}"
        );
        assert_eq!(
            result["checksum"],
            json!(expected),
            "{workers} workers: {result}"
        );
        println!(
            "node, {workers} worker_threads: rows taken {}",
            result["taken"]
        );
    }
}
