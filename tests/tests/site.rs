//! The built book as a reader gets it: every page opened in a real browser (Chromium driven
//! over WebDriver) in a light and a dark mdBook theme, and every page with a diagram in all
//! five themes, with a silent console (no entry at any level) and every diagram drawn and
//! readable (WCAG contrast); no listing or table scrolling sideways at a 1280-pixel window,
//! nothing reaching past the window on a 390-pixel phone, and every code block in a language
//! the highlighter knows; with the network available and with it cut off; mdBook's search
//! and theme menu used as a reader uses them; and, without a browser, no broken internal link.
//!
//! What the checks let through is listed, each with its reason, in `tests/site-allowed.txt`.
//!
//! The book is built fresh by `mdbook build` into a scratch folder and served from
//! 127.0.0.1 on a free port. `cargo xtask test` puts mdbook, mdbook-mermaid, chromium and
//! chromedriver on PATH; when one is missing these tests fail and say so.
//!
//! Set `BOOK_SITE_SCREENSHOTS=<folder>` to keep screenshots of every page in light and navy,
//! each at the desktop and the phone width (scrolled to its first diagram), and of the pages
//! with diagrams in the other themes, to look at what the test measured.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use book_tests::browser::{
    self, ChromeDriver, ConsoleEntry, Network, Serving, SessionCommand, StaticServer,
};
use book_tests::site::allowed::{Allowed, Kind};
use book_tests::site::page::{PAGE_PROBE, PageReport};
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
/// Themes differ in colours only, while layout depends on the window and outside requests on
/// the network. So rather than loading every page again for each window and network, the
/// light themes are checked on a desktop window with the network as the machine has it and
/// the dark ones on a phone with the network cut off: with light and navy above, every page
/// is seen both ways.
const PHONE_OFFLINE_THEMES: [&str; 2] = ["navy", "ayu"];
/// A desktop browser window, the width at which no listing or table may scroll sideways.
const DESKTOP: Window = Window {
    width: 1280,
    height: 1024,
};
/// A phone held upright (CSS pixels of a common 6.1-inch phone).
const PHONE: Window = Window {
    width: 390,
    height: 844,
};
/// Languages that must come out highlighted: mdBook's own highlighter lacks both, so a page
/// served with it shows them as plain text. The site must show at least one block of each.
const MUST_HIGHLIGHT: [&str; 2] = ["wgsl", "protobuf"];
/// Languages in which every block must hold highlighted tokens: code, not output.
const CODE_LANGUAGES: [&str; 6] = ["rust", "c", "glsl", "js", "wgsl", "protobuf"];
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
    let (chromium, chromedriver) = site::require_browser("to open the built book");
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
            let mut run = SiteRun::start(&driver, &chromium, &book, server.origin()).await?;
            let result = run.everything().await;
            // Ending the session lets chromedriver close the browser; Drop kills it otherwise.
            let _ = run.client.clone().close().await;
            result.map(|()| run)
        })
        .await
    });
    let mut run = match outcome {
        Err(_) => panic!(
            "the browser checks did not finish within {} s (a page, a script or chromedriver hung)",
            WHOLE_RUN.as_secs()
        ),
        Ok(Err(error)) => panic!("the browser checks could not run: {error}"),
        Ok(Ok(run)) => run,
    };
    run.site_wide_checks();

    println!(
        "visited {} pages in {} and pages with diagrams in all of {} ({} page loads; {} at \
         {} px with the network available, {} at {} px with it cut off), {} diagrams, \
         {} contrast samples, {} code blocks, {} console entries let through, in {:.1} s",
        run.pages.len(),
        EVERY_PAGE_THEMES.join(" and "),
        THEMES.join(", "),
        run.loads,
        THEMES
            .iter()
            .filter(|theme| !PHONE_OFFLINE_THEMES.contains(theme))
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
        DESKTOP.width,
        PHONE_OFFLINE_THEMES.join(", "),
        PHONE.width,
        run.diagrams,
        run.samples,
        run.code_blocks,
        run.console_allowed,
        started.elapsed().as_secs_f64()
    );
    assert!(
        run.problems.is_empty(),
        "{} problem(s) in the built book (what may be let through, with its reason, is listed \
         in {}):\n  {}",
        run.problems.len(),
        book_tests::shown(&Allowed::path()),
        run.problems.join("\n  ")
    );
}

/// A browser window's size in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Window {
    width: u32,
    height: u32,
}

impl Window {
    fn other(self) -> Window {
        if self == DESKTOP { PHONE } else { DESKTOP }
    }
}

/// How the browser is set up while one theme is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Setup {
    window: Window,
    network: Network,
}

impl Setup {
    fn for_theme(theme: &str) -> Setup {
        if PHONE_OFFLINE_THEMES.contains(&theme) {
            Setup {
                window: PHONE,
                network: Network::CutOff,
            }
        } else {
            Setup {
                window: DESKTOP,
                network: Network::Available,
            }
        }
    }

    fn describe(self) -> String {
        let network = match self.network {
            Network::Available => "online",
            Network::CutOff => "offline",
        };
        format!("{} px, {network}", self.window.width)
    }
}

/// One pass of the browser over the site, collecting every problem before failing.
struct SiteRun<'a> {
    driver: &'a ChromeDriver,
    chromium: &'a Path,
    client: Client,
    setup: Setup,
    book: &'a BuiltBook,
    origin: String,
    pages: Vec<String>,
    allowed: Allowed,
    screenshots: Option<PathBuf>,
    problems: Vec<String>,
    loads: usize,
    diagrams: usize,
    samples: usize,
    code_blocks: usize,
    console_allowed: usize,
    /// For each language of [`MUST_HIGHLIGHT`], the blocks seen and how many held tokens.
    highlighted: BTreeMap<&'static str, (usize, usize)>,
}

impl<'a> SiteRun<'a> {
    async fn start(
        driver: &'a ChromeDriver,
        chromium: &'a Path,
        book: &'a BuiltBook,
        origin: &str,
    ) -> Result<SiteRun<'a>, String> {
        let screenshots = std::env::var_os("BOOK_SITE_SCREENSHOTS").map(PathBuf::from);
        if let Some(dir) = &screenshots {
            std::fs::create_dir_all(dir)
                .unwrap_or_else(|error| panic!("cannot create {}: {error}", dir.display()));
        }
        let setup = Setup::for_theme(THEMES[0]);
        let client = connect(driver, chromium, setup).await?;
        Ok(SiteRun {
            driver,
            chromium,
            client,
            setup,
            book,
            origin: origin.to_string(),
            pages: book.html_pages(),
            allowed: Allowed::load(),
            screenshots,
            problems: Vec::new(),
            loads: 0,
            diagrams: 0,
            samples: 0,
            code_blocks: 0,
            console_allowed: 0,
            highlighted: MUST_HIGHLIGHT
                .iter()
                .map(|&language| (language, (0, 0)))
                .collect(),
        })
    }

    async fn everything(&mut self) -> Result<(), String> {
        let pages = self.pages.clone();
        for theme in THEMES {
            self.set_up_for(theme).await?;
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
            if theme == "navy" {
                self.run_a_snippet_offline().await?;
            }
        }
        Ok(())
    }

    /// Starts a browser session set up as `theme` is checked (see [`PHONE_OFFLINE_THEMES`]),
    /// unless the current one already is.
    async fn set_up_for(&mut self, theme: &str) -> Result<(), String> {
        let setup = Setup::for_theme(theme);
        if self.loads > 0 && setup == self.setup {
            return Ok(());
        }
        if setup != self.setup {
            // The browser profile, and with it the stored theme, outlives the session.
            let _ = self.client.clone().close().await;
            self.client = connect(self.driver, self.chromium, setup).await?;
            self.setup = setup;
        }
        // localStorage belongs to the site's origin, so open a page before choosing a theme;
        // its console messages are read here so that none is blamed on the next page.
        self.open("index.html").await?;
        self.console("index.html", "as stored").await
    }

    /// What only a whole run can tell: that the languages the stock highlighter lacks were
    /// seen highlighted, and that every allow-list entry is still needed.
    fn site_wide_checks(&mut self) {
        for (language, (blocks, highlighted)) in &self.highlighted {
            if *blocks == 0 || *highlighted == 0 {
                self.problems.push(format!(
                    "no page shows a highlighted {language} block ({blocks} blocks seen, \
                     {highlighted} with highlighted tokens)"
                ));
            }
        }
        for entry in self.allowed.unused() {
            self.problems.push(format!(
                "{}: {entry} let nothing through in this run; remove it",
                book_tests::shown(&Allowed::path())
            ));
        }
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
        // Layout and code blocks do not change with the colours: once per window suffices.
        // print.html repeats every chapter in the same column, so each block is measured,
        // and reported, on its chapter's page only.
        if EVERY_PAGE_THEMES.contains(&theme) && page != "print.html" {
            self.layout_and_code(page, theme).await?;
        }
        self.console(page, theme).await?;
        self.screenshot(page, theme).await
    }

    /// Measures the page with [`PAGE_PROBE`]: at the desktop width no listing or table may
    /// scroll sideways and every code block must be in a language the highlighter knows; at
    /// the phone width nothing of the page's text may reach past the window.
    async fn layout_and_code(&mut self, page: &str, theme: &str) -> Result<(), String> {
        let value = self
            .client
            .execute(PAGE_PROBE, vec![])
            .await
            .map_err(|error| format!("theme {theme}, {page}: the page probe failed: {error}"))?;
        let report = PageReport::from_json(&value)
            .map_err(|error| format!("theme {theme}, {page}: {error}"))?;
        let window = self.setup.window;
        if report.viewport > u64::from(window.width) {
            self.problems.push(format!(
                "{page}: the page is laid out {} px wide in a {} px window",
                report.viewport, window.width
            ));
        }
        if window == DESKTOP {
            for row in &report.stray_rows {
                self.problems.push(format!(
                    "{page}: a table row printed as text (a blank line inside the table \
                     ends it): `{row}`"
                ));
            }
            for wide in &report.wide {
                if !self.allowed.permits(Kind::Wide, page, &wide.text) {
                    self.problems.push(format!(
                        "{page}: a {} scrolls sideways at {} px ({} px of content in {} px): \
                         widest line `{}`",
                        wide.tag, window.width, wide.scroll_width, wide.client_width, wide.text
                    ));
                }
            }
            self.code_blocks += report.blocks.len();
            for block in &report.blocks {
                if !block.known {
                    self.problems.push(format!(
                        "{page}: a ```{} block, which the highlighter does not know: `{}`",
                        block.language, block.first_line
                    ));
                } else if block.tokens == 0 && CODE_LANGUAGES.contains(&block.language.as_str()) {
                    self.problems.push(format!(
                        "{page}: a ```{} block with nothing highlighted: `{}`",
                        block.language, block.first_line
                    ));
                }
                if let Some((blocks, highlighted)) =
                    self.highlighted.get_mut(block.language.as_str())
                {
                    *blocks += 1;
                    *highlighted += usize::from(block.tokens > 0);
                }
            }
        } else {
            for outside in &report.outside {
                if !self.allowed.permits(Kind::Wide, page, &outside.text) {
                    self.problems.push(format!(
                        "{page}: at {} px, a {} reaches {} px, past the window: `{}`",
                        window.width, outside.tag, outside.right, outside.text
                    ));
                }
            }
        }
        Ok(())
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
                log.iter()
                    .map(ConsoleEntry::to_string)
                    .collect::<Vec<_>>()
                    .join(" | ")
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

    /// Every entry of the browser's console since the last look, at any level: script errors,
    /// failed loads (a 404 of an asset, a request the network refused), warnings, and anything
    /// a script logs. Each is a problem unless the allow-list lets it through.
    async fn console(&mut self, page: &str, theme: &str) -> Result<(), String> {
        for entry in self.browser_log().await? {
            let text = entry.to_string();
            if self.allowed.permits(Kind::Console, page, &text) {
                self.console_allowed += 1;
            } else {
                self.problems.push(format!(
                    "theme {theme}, {page} ({}): browser console: {text}",
                    self.setup.describe()
                ));
            }
        }
        Ok(())
    }

    async fn browser_log(&self) -> Result<Vec<ConsoleEntry>, String> {
        let entries = browser::console_entries(&self.client).await?;
        Ok(entries
            .into_iter()
            .map(|entry| ConsoleEntry {
                message: entry.message.replace(&self.origin, ""),
                ..entry
            })
            .collect())
    }

    /// With `BOOK_SITE_SCREENSHOTS` set, keeps what the reader sees of the page: at the
    /// window it was checked in and, in the themes every page is seen in, at the other width
    /// too (the page loaded again at that width, as mdBook lays out its sidebar on load), so
    /// light and navy each come at the desktop and the phone width.
    async fn screenshot(&mut self, page: &str, theme: &str) -> Result<(), String> {
        if self.screenshots.is_none() {
            return Ok(());
        }
        let window = self.setup.window;
        self.screenshot_at(page, theme, window).await?;
        if EVERY_PAGE_THEMES.contains(&theme) {
            emulate(&self.client, window.other()).await?;
            self.open(page).await?;
            if self.book.read(page).contains("mermaid-init") {
                self.diagrams_drawn(page, theme).await?;
            }
            self.screenshot_at(page, theme, window.other()).await?;
            self.console(page, theme).await?;
            emulate(&self.client, window).await?;
        }
        Ok(())
    }

    async fn screenshot_at(
        &mut self,
        page: &str,
        theme: &str,
        window: Window,
    ) -> Result<(), String> {
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
        let file = dir.join(format!(
            "{theme}-{}-{}.png",
            window.width,
            page.replace('/', "-")
        ));
        std::fs::write(&file, png)
            .map_err(|error| format!("cannot write {}: {error}", file.display()))
    }

    /// Offline, a runnable snippet's Run button must say that running needs the network
    /// (theme/head.hbs), not fail with a bare error: pressed on the first page that has one.
    async fn run_a_snippet_offline(&mut self) -> Result<(), String> {
        let Some(page) = self
            .pages
            .iter()
            .find(|page| self.book.read(page).contains("language-rust edition"))
            .cloned()
        else {
            self.problems
                .push("no page has a runnable Rust snippet to press Run on".to_string());
            return Ok(());
        };
        self.open(&page).await?;
        self.console(&page, "navy").await?;
        let pressed = self
            .client
            .execute(
                "const button = document.querySelector('.play-button');
                 if (!button || button.classList.contains('hidden')) { return false; }
                 button.click();
                 return true;",
                vec![],
            )
            .await
            .map_err(|error| format!("{page}: cannot press Run: {error}"))?;
        if pressed != json!(true) {
            self.problems.push(format!(
                "{page}: the first runnable snippet has no visible Run button"
            ));
            return Ok(());
        }
        let explained = self
            .wait_until(
                "const result = document.querySelector('pre .result');
                 return result !== null && result.innerText.includes('needs the network');",
                vec![],
            )
            .await?;
        if !explained {
            let shown = self
                .client
                .execute(
                    "const result = document.querySelector('pre .result');
                     return result === null ? '(no result)' : result.innerText;",
                    vec![],
                )
                .await
                .map_err(|error| format!("{page}: {error}"))?;
            self.problems.push(format!(
                "{page}: offline, Run showed {shown} instead of saying it needs the network"
            ));
        }
        self.console(&page, "navy (Run pressed offline)").await
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
        self.console("index.html (search)", "light").await
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
        self.console(&page, "navy (chosen in the menu)").await
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

/// A browser session set up as `setup` says.
async fn connect(driver: &ChromeDriver, chromium: &Path, setup: Setup) -> Result<Client, String> {
    let window = format!("{},{}", DESKTOP.width, DESKTOP.height);
    let client = driver
        .connect_with(chromium, &window, PAGE_LOAD, setup.network)
        .await?;
    if setup.window != DESKTOP {
        emulate(&client, setup.window).await?;
    }
    Ok(client)
}

/// Makes the page see a screen of `window`'s size, a phone's with touch and the page's
/// viewport meta tag honoured: headless Chromium keeps its window at least 500 px wide.
/// It holds for the rest of the session, across page loads.
async fn emulate(client: &Client, window: Window) -> Result<(), String> {
    client
        .issue_cmd(SessionCommand {
            endpoint: "goog/cdp/execute",
            body: json!({
                "cmd": "Emulation.setDeviceMetricsOverride",
                "params": {
                    "width": window.width,
                    "height": window.height,
                    "deviceScaleFactor": 1,
                    "mobile": window == PHONE,
                },
            }),
        })
        .await
        .map(drop)
        .map_err(|error| format!("cannot make the window {window:?}: {error}"))
}
