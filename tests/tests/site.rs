//! The built book as a reader gets it: every page opened in a real browser (Chromium driven
//! over WebDriver) in a light and a dark mdBook theme, and every page with a diagram in all
//! five themes, with no console errors and every diagram drawn and readable (WCAG contrast);
//! mdBook's search and theme menu used as a reader uses them; and, without a browser, no
//! broken internal link.
//!
//! The book is built fresh by `mdbook build` into a scratch folder and served from
//! 127.0.0.1 on a free port. `cargo xtask test` puts mdbook, mdbook-mermaid, chromium and
//! chromedriver on PATH; when one is missing these tests fail and say so.
//!
//! Set `BOOK_SITE_SCREENSHOTS=<folder>` to keep a screenshot of every page in each theme it is
//! checked in (scrolled to its first diagram), to look at what the test measured.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use book_tests::browser::{self, ChromeDriver, Serving, SessionCommand, StaticServer};
use book_tests::site::{self, BuiltBook, DiagramReport, THEMES};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

/// The whole browser test must finish within this, whatever hangs.
const WHOLE_RUN: Duration = Duration::from_secs(600);
/// How long one thing (chromedriver starting, diagrams rendering, search results) may take.
const WAIT: Duration = Duration::from_secs(20);
/// How long a page may take to load: print.html holds every chapter and draws every
/// diagram of the book, which takes a while on a busy two-core machine.
const PAGE_LOAD: Duration = Duration::from_secs(120);
/// Themes in which every page is opened; the others are checked on pages with diagrams.
const EVERY_PAGE_THEMES: [&str; 2] = ["light", "navy"];
/// The word the search must find: the book's subject.
const SEARCH_WORD: &str = "parallelism";

fn scratch() -> &'static Path {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
}

#[test]
fn internal_links_resolve() {
    let book = BuiltBook::build(scratch(), "site-links");
    let report = site::check_internal_links(book.dir());
    assert!(
        report.checked > 0,
        "found no internal links at all in {}; is the link scanner broken?",
        book.dir().display()
    );
    assert!(
        report.broken.is_empty(),
        "{} broken internal link(s) in the built book (of {} checked):\n  {}",
        report.broken.len(),
        report.checked,
        report.broken.join("\n  ")
    );
    println!(
        "{} internal links and fragments resolve across {} pages",
        report.checked,
        book.html_pages().len()
    );
}

#[test]
fn every_page_works_and_diagrams_are_readable_in_every_theme() {
    let started = Instant::now();
    let chromium = site::require_tool(
        &["chromium", "chromium-browser", "google-chrome"],
        "to open the built book (Debian package `chromium`)",
    );
    let chromedriver = site::require_tool(
        &["chromedriver"],
        "to drive the browser over WebDriver (Debian package `chromium-driver`)",
    );
    let book = BuiltBook::build(scratch(), "site-browser");
    let server = StaticServer::start(
        book.dir(),
        Serving {
            isolate: false,
            cache_assets: true,
        },
    );
    let driver = ChromeDriver::start(&chromedriver, scratch());

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let outcome = runtime.block_on(async {
        tokio::time::timeout(WHOLE_RUN, async {
            let client = connect(&driver, &chromium).await?;
            let mut run = SiteRun::new(client.clone(), &book, server.origin().to_string());
            let result = run.everything().await;
            // Ending the session lets chromedriver close the browser; Drop kills it otherwise.
            let _ = client.close().await;
            result.map(|()| run)
        })
        .await
    });
    let run = match outcome {
        Err(_) => panic!(
            "the browser checks did not finish within {} s (a page, a script or chromedriver hung)",
            WHOLE_RUN.as_secs()
        ),
        Ok(Err(error)) => panic!("the browser checks could not run: {error}"),
        Ok(Ok(run)) => run,
    };
    drop(driver);
    drop(server);

    println!(
        "visited {} pages in {} and pages with diagrams in all of {} ({} page loads), \
         {} diagrams, {} contrast samples, in {:.1} s",
        run.pages.len(),
        EVERY_PAGE_THEMES.join(" and "),
        THEMES.join(", "),
        run.loads,
        run.diagrams,
        run.samples,
        started.elapsed().as_secs_f64()
    );
    assert!(
        run.problems.is_empty(),
        "{} problem(s) in the built book:\n  {}",
        run.problems.len(),
        run.problems.join("\n  ")
    );
}

/// One pass of the browser over the site, collecting every problem before failing.
struct SiteRun<'a> {
    client: Client,
    book: &'a BuiltBook,
    origin: String,
    pages: Vec<String>,
    screenshots: Option<PathBuf>,
    problems: Vec<String>,
    loads: usize,
    diagrams: usize,
    samples: usize,
}

impl<'a> SiteRun<'a> {
    fn new(client: Client, book: &'a BuiltBook, origin: String) -> Self {
        let screenshots = std::env::var_os("BOOK_SITE_SCREENSHOTS").map(PathBuf::from);
        if let Some(dir) = &screenshots {
            std::fs::create_dir_all(dir)
                .unwrap_or_else(|error| panic!("cannot create {}: {error}", dir.display()));
        }
        SiteRun {
            client,
            book,
            origin,
            pages: book.html_pages(),
            screenshots,
            problems: Vec::new(),
            loads: 0,
            diagrams: 0,
            samples: 0,
        }
    }

    async fn everything(&mut self) -> Result<(), String> {
        // localStorage belongs to the site's origin, so open a page before choosing a theme;
        // its console messages are read here so that none is blamed on the next page.
        self.open("index.html").await?;
        self.console_errors("index.html", "default").await?;
        let pages = self.pages.clone();
        for theme in THEMES {
            self.choose_theme_like_a_script(theme).await?;
            for page in &pages {
                // Themes differ in colours only, and the book's own colours are the diagrams':
                // every page is seen in one light and one dark theme, pages with diagrams in
                // all five. That keeps the run short as the book grows.
                let has_diagrams = !site::mermaid_sources(&self.book.read(page)).is_empty();
                if has_diagrams || EVERY_PAGE_THEMES.contains(&theme) {
                    self.check_page(page, theme).await?;
                }
            }
            if theme == "light" {
                self.search().await?;
                self.switch_theme_like_a_reader().await?;
            }
        }
        Ok(())
    }

    async fn open(&mut self, page: &str) -> Result<(), String> {
        self.loads += 1;
        self.client
            .goto(&format!("{}/{page}", self.origin))
            .await
            .map_err(|error| format!("cannot open {page}: {error}"))
    }

    /// The theme menu stores the choice in localStorage; setting it there and reloading is
    /// what the menu amounts to. The menu itself is exercised by `switch_theme_like_a_reader`.
    async fn choose_theme_like_a_script(&mut self, theme: &str) -> Result<(), String> {
        self.client
            .execute(
                "localStorage.setItem('mdbook-theme', arguments[0]);",
                vec![json!(theme)],
            )
            .await
            .map(drop)
            .map_err(|error| format!("cannot store the theme {theme}: {error}"))
    }

    /// Opens a page in a theme and checks everything a page must satisfy.
    async fn check_page(&mut self, page: &str, theme: &str) -> Result<(), String> {
        self.open(page).await?;
        let html = self.book.read(page);
        // mdBook's sidebar fallback (toc.html) is a bare list without the book's scripts.
        if html.contains("mermaid-init") {
            if !self.diagrams_drawn(page, theme).await? {
                return Ok(());
            }
            let report = self.probe(page, theme, &html).await?;
            self.diagrams += report.rendered;
            self.samples += report.samples.len();
        }
        self.console_errors(page, theme).await?;
        self.screenshot(page, theme).await
    }

    /// Waits until theme/mermaid-init.js has drawn the page's diagrams in `theme`.
    async fn diagrams_drawn(&mut self, page: &str, theme: &str) -> Result<bool, String> {
        let state = self
            .wait_until(
                "const html = document.documentElement;
                 return html.classList.contains(arguments[0])
                     && html.dataset.mermaidTheme === arguments[0];",
                vec![json!(theme)],
            )
            .await?;
        if state {
            return Ok(true);
        }
        let seen = self
            .client
            .execute(
                "return [document.documentElement.className,
                         document.documentElement.dataset.mermaidTheme || '(not set)'];",
                vec![],
            )
            .await
            .map_err(|error| format!("{page}: {error}"))?;
        let log = self.browser_log().await?;
        self.problems.push(format!(
            "theme {theme}, {page}: the diagrams were never drawn in this theme within {} s \
             (html class, data-mermaid-theme: {seen}); browser console: {}",
            WAIT.as_secs(),
            if log.is_empty() {
                "empty".to_string()
            } else {
                log.join(" | ")
            }
        ));
        Ok(false)
    }

    /// Runs the diagram probe and records what it finds wrong.
    async fn probe(
        &mut self,
        page: &str,
        theme: &str,
        html: &str,
    ) -> Result<DiagramReport, String> {
        let value = self
            .client
            .execute(site::DIAGRAM_PROBE, vec![])
            .await
            .map_err(|error| format!("theme {theme}, {page}: the diagram probe failed: {error}"))?;
        let report = DiagramReport::from_json(&value)
            .map_err(|error| format!("theme {theme}, {page}: {error}"))?;
        let sources = site::mermaid_sources(html);
        if report.blocks != sources.len() {
            self.problems.push(format!(
                "theme {theme}, {page}: the built page has {} ```mermaid blocks but the browser shows {}",
                sources.len(),
                report.blocks
            ));
        }
        for failure in &report.failures {
            let source = failure
                .strip_prefix("diagram ")
                .and_then(|rest| rest.split(':').next())
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| sources.get(n.checked_sub(1)?))
                .map(|source| source.lines().find(|l| !l.trim().is_empty()).unwrap_or(""))
                .unwrap_or_default();
            self.problems.push(format!(
                "theme {theme}, {page}: {failure} (block starting `{}`)",
                source.trim()
            ));
        }
        if report.rendered > 0 && report.samples.is_empty() {
            self.problems.push(format!(
                "theme {theme}, {page}: {} diagrams drawn but no label or line measured; \
                 has mermaid's SVG structure changed?",
                report.rendered
            ));
        }
        for failure in report.contrast_failures() {
            self.problems
                .push(format!("theme {theme}, {page}: unreadable: {failure}"));
        }
        Ok(report)
    }

    /// Every SEVERE entry of the browser's console since the last look: script errors,
    /// failed loads (a 404 of an asset), errors the page logs itself.
    async fn console_errors(&mut self, page: &str, theme: &str) -> Result<(), String> {
        for entry in self.browser_log().await? {
            self.problems
                .push(format!("theme {theme}, {page}: browser console: {entry}"));
        }
        Ok(())
    }

    async fn browser_log(&self) -> Result<Vec<String>, String> {
        let entries = browser::severe_console_entries(&self.client).await?;
        Ok(entries
            .into_iter()
            .map(|entry| entry.replace(&self.origin, ""))
            .collect())
    }

    async fn screenshot(&mut self, page: &str, theme: &str) -> Result<(), String> {
        let Some(dir) = &self.screenshots else {
            return Ok(());
        };
        // Show the first diagram if the page has one, else the top of the page.
        self.client
            .execute(
                "const d = document.querySelector('pre.mermaid');
                 if (d) { d.scrollIntoView({ block: 'center' }); } else { window.scrollTo(0, 0); }",
                vec![],
            )
            .await
            .map_err(|error| format!("{page}: {error}"))?;
        let png = self
            .client
            .screenshot()
            .await
            .map_err(|error| format!("cannot screenshot {page}: {error}"))?;
        let file = dir.join(format!("{theme}-{}.png", page.replace('/', "-")));
        std::fs::write(&file, png)
            .map_err(|error| format!("cannot write {}: {error}", file.display()))
    }

    /// mdBook's search as a reader uses it: the search button, typing, the result list.
    async fn search(&mut self) -> Result<(), String> {
        self.open("index.html").await?;
        if let Err(error) = self.click("mdbook-search-toggle").await {
            self.problems.push(format!("search: {error}"));
            return Ok(());
        }
        let bar = match self.client.find(Locator::Id("mdbook-searchbar")).await {
            Ok(bar) => bar,
            Err(error) => {
                self.problems.push(format!(
                    "search: no search bar (#mdbook-searchbar): {error}"
                ));
                return Ok(());
            }
        };
        if !self
            .wait_until(
                "return document.getElementById('mdbook-searchbar').offsetParent !== null;",
                vec![],
            )
            .await?
        {
            self.problems
                .push("search: the search button did not open the search bar".to_string());
            return Ok(());
        }
        bar.send_keys(SEARCH_WORD)
            .await
            .map_err(|error| format!("cannot type into the search bar: {error}"))?;
        let found = self
            .wait_until(
                "return document.querySelectorAll('#mdbook-searchresults li a').length > 0;",
                vec![],
            )
            .await?;
        let results = self
            .client
            .execute(
                "return Array.from(document.querySelectorAll('#mdbook-searchresults li a'))
                     .map((a) => a.textContent.trim());",
                vec![],
            )
            .await
            .map_err(|error| format!("cannot read the search results: {error}"))?;
        if !found {
            self.problems.push(format!(
                "search: typing \"{SEARCH_WORD}\" gave no results within {} s",
                WAIT.as_secs()
            ));
        } else {
            println!("search for \"{SEARCH_WORD}\" found: {results}");
        }
        self.console_errors("index.html (search)", "light").await
    }

    /// The theme menu as a reader uses it: on a page with a diagram, open the menu and pick
    /// Navy; the page must change theme, remember it, and redraw its diagrams in it.
    async fn switch_theme_like_a_reader(&mut self) -> Result<(), String> {
        let page = self
            .pages
            .iter()
            .find(|page| !site::mermaid_sources(&self.book.read(page)).is_empty())
            .cloned()
            .unwrap_or_else(|| "index.html".to_string());
        let html = self.book.read(&page);
        self.choose_theme_like_a_script("light").await?;
        self.open(&page).await?;
        if !self.diagrams_drawn(&page, "light").await? {
            return Ok(());
        }
        let before = self.probe(&page, "light", &html).await?;

        if let Err(error) = self.click("mdbook-theme-toggle").await {
            self.problems.push(format!("{page}: {error}"));
            return Ok(());
        }
        if !self
            .wait_until(
                "return getComputedStyle(document.getElementById('mdbook-theme-list')).display !== 'none';",
                vec![],
            )
            .await?
        {
            self.problems
                .push(format!("{page}: the theme button did not open the theme list"));
            return Ok(());
        }
        if let Err(error) = self.click("mdbook-theme-navy").await {
            self.problems.push(format!("{page}: {error}"));
            return Ok(());
        }
        if !self.diagrams_drawn(&page, "navy").await? {
            return Ok(());
        }
        let stored = self
            .client
            .execute("return localStorage.getItem('mdbook-theme');", vec![])
            .await
            .map_err(|error| format!("{page}: {error}"))?;
        if stored != json!("navy") {
            self.problems.push(format!(
                "{page}: after choosing Navy in the theme menu, localStorage holds {stored}"
            ));
        }
        let after = self
            .probe(&page, "navy (chosen in the menu)", &html)
            .await?;
        // The diagrams' own colours, not as blended: the page behind changes with the theme
        // whether or not the diagrams were redrawn.
        let colours = |report: &DiagramReport| {
            report
                .samples
                .iter()
                .map(|sample| sample.drawn.clone())
                .collect::<Vec<_>>()
        };
        if !before.samples.is_empty() && colours(&before) == colours(&after) {
            self.problems.push(format!(
                "{page}: switching from Light to Navy left the diagrams' colours unchanged"
            ));
        }
        self.console_errors(&page, "navy (chosen in the menu)")
            .await
    }

    async fn click(&self, id: &str) -> Result<(), String> {
        self.client
            .find(Locator::Id(id))
            .await
            .map_err(|error| format!("no #{id} on the page: {error}"))?
            .click()
            .await
            .map_err(|error| format!("cannot click #{id}: {error}"))
    }

    /// Polls a script until it returns `true`; `false` after [`WAIT`].
    async fn wait_until(&self, script: &str, args: Vec<Value>) -> Result<bool, String> {
        let deadline = Instant::now() + WAIT;
        loop {
            let value = self
                .client
                .execute(script, args.clone())
                .await
                .map_err(|error| format!("a page script failed: {error}"))?;
            if value == json!(true) {
                return Ok(true);
            }
            if Instant::now() > deadline {
                return Ok(false);
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// Pages with runnable Rust snippets ask play.rust-lang.org which crates it offers (mdBook's
/// book.js). The test machine may be offline, and an unreachable playground would show up as
/// console errors that say nothing about the book; so every page of the session gets a
/// local answer for exactly that request. Any other outside request still fails loudly.
const OFFLINE_PLAYGROUND: &str = r#"
    (() => {
        const fetchOnline = window.fetch.bind(window);
        window.fetch = (resource, options) => {
            const url = String(resource && resource.url ? resource.url : resource);
            if (url === 'https://play.rust-lang.org/meta/crates') {
                return Promise.resolve(new Response('{"crates": []}', {
                    status: 200,
                    headers: { 'Content-Type': 'application/json' },
                }));
            }
            return fetchOnline(resource, options);
        };
    })();
"#;

/// A browser session with the book's offline playground answer installed.
async fn connect(driver: &ChromeDriver, chromium: &Path) -> Result<Client, String> {
    let client = driver.connect(chromium, "1280,1024", PAGE_LOAD).await?;
    client
        .issue_cmd(SessionCommand {
            endpoint: "goog/cdp/execute",
            body: json!({
                "cmd": "Page.addScriptToEvaluateOnNewDocument",
                "params": { "source": OFFLINE_PLAYGROUND },
            }),
        })
        .await
        .map_err(|error| format!("cannot install the offline playground answer: {error}"))?;
    Ok(client)
}
