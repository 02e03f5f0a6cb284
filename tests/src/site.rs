//! Support for testing the built site (`tests/tests/site.rs`): building the book into a
//! scratch folder, finding the browser tools, checking internal links in plain Rust, and the
//! colour arithmetic behind the diagram-readability checks.
//!
//! The browser side (WebDriver, the HTTP server) is in [`crate::browser`]. What the browser
//! runs to measure a page is [`DIAGRAM_PROBE`] and [`page::PAGE_PROBE`]; what the test lets
//! through, each with its reason, is read by [`allowed`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant, SystemTime};

use regex::Regex;
use serde_json::Value;

use crate::workspace_root;

pub mod allowed;
pub mod page;

/// Every reader-selectable mdBook theme, light ones first.
pub const THEMES: [&str; 5] = ["light", "rust", "coal", "navy", "ayu"];

/// WCAG 2.x minimum contrast for body-size text (success criterion 1.4.3).
pub const TEXT_CONTRAST: f64 = 4.5;
/// WCAG 2.x minimum contrast for graphical objects such as lines and box outlines (1.4.11).
pub const GRAPHIC_CONTRAST: f64 = 3.0;

/// `mdbook build` takes a second or two; anything near this means it hangs.
const BUILD_TIME_LIMIT: Duration = Duration::from_secs(180);

/// The script the browser runs on a page to measure its mermaid diagrams (see the file).
pub const DIAGRAM_PROBE: &str = include_str!("site/diagram_probe.js");

const HOW_TO_INSTALL: &str = "`cargo xtask test` installs the book tools and the browser \
     (or run `cargo xtask setup`) and puts them on PATH before it runs `cargo test`";

/// The first of `names` found on `PATH`, as a full path.
pub fn find_on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Like [`find_on_path`], but a missing tool fails the test with what installs it: the site
/// tests never skip silently.
pub fn require_tool(names: &[&str], needed_for: &str) -> PathBuf {
    find_on_path(names).unwrap_or_else(|| {
        panic!(
            "`{}` is not on PATH; it is needed {needed_for}. {HOW_TO_INSTALL}.",
            names.join("` or `")
        )
    })
}

/// Chromium and its WebDriver, `(chromium, chromedriver)`, or a failed test saying which
/// WebAssembly modules the pages load, each of which must exist and be newer
/// than every file in `listing_src` (relative to the repository root), or a
/// failed test saying to build them.
pub fn require_fresh_wasm(listing_src: &str, modules: &[&str]) {
    let newest_source = std::fs::read_dir(workspace_root().join(listing_src))
        .expect("the listing's src folder")
        .filter_map(|entry| entry.ok()?.metadata().ok()?.modified().ok())
        .max()
        .unwrap_or(SystemTime::UNIX_EPOCH);
    for module in modules {
        let path = workspace_root().join(module);
        match std::fs::metadata(&path).and_then(|meta| meta.modified()) {
            Ok(built) if built >= newest_source => {}
            Ok(_) => panic!(
                "{module} is older than {listing_src}: run `cargo xtask build` (it rebuilds \
                 the WebAssembly modules) before these tests"
            ),
            Err(_) => panic!(
                "{module} is missing: run `cargo xtask build` (it compiles the WebAssembly \
                 modules with the toolchain `cargo xtask setup` installs) before these tests"
            ),
        }
    }
}

/// Debian package is missing; `needed_for` says what the browser is for.
pub fn require_browser(needed_for: &str) -> (PathBuf, PathBuf) {
    let chromium = require_tool(
        &["chromium", "chromium-browser", "google-chrome"],
        &format!("{needed_for} (Debian package `chromium`)"),
    );
    let chromedriver = require_tool(
        &["chromedriver"],
        "to drive the browser over WebDriver (Debian package `chromium-driver`)",
    );
    (chromium, chromedriver)
}

/// A fresh build of the book in a scratch folder, removed again when dropped.
pub struct BuiltBook {
    dir: PathBuf,
}

impl BuiltBook {
    /// Runs `mdbook build -d <scratch>/<name>-<pid>` in the repository root. `scratch` is the
    /// test's `CARGO_TARGET_TMPDIR`; the process id keeps concurrent test runs apart.
    pub fn build(scratch: &Path, name: &str) -> BuiltBook {
        let mdbook = require_tool(&["mdbook"], "to build the book");
        require_tool(
            &["mdbook-mermaid"],
            "by mdbook to turn ```mermaid blocks into diagrams",
        );
        let mermaid_js = workspace_root().join("theme").join("mermaid.min.js");
        assert!(
            mermaid_js.is_file(),
            "{} is missing: it is generated from the pinned mdbook-mermaid; {HOW_TO_INSTALL}",
            crate::shown(&mermaid_js)
        );
        let dir = scratch.join(format!("{name}-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .unwrap_or_else(|error| panic!("cannot clear {}: {error}", dir.display()));
        }
        // Output goes to a file and the build is bounded in time: a test never hangs.
        let log_path = scratch.join(format!("{name}-{}.log", std::process::id()));
        let log = std::fs::File::create(&log_path)
            .unwrap_or_else(|error| panic!("cannot create {}: {error}", log_path.display()));
        let mut child = Command::new(&mdbook)
            .arg("build")
            .arg("-d")
            .arg(&dir)
            .current_dir(workspace_root())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("a log file handle"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot run {}: {error}", mdbook.display()));
        let deadline = Instant::now() + BUILD_TIME_LIMIT;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
            }
        };
        let output = std::fs::read_to_string(&log_path).unwrap_or_default();
        let _ = std::fs::remove_file(&log_path);
        match status {
            None => panic!(
                "`mdbook build` did not finish within {} s:\n{output}",
                BUILD_TIME_LIMIT.as_secs()
            ),
            Some(status) => assert!(
                status.success(),
                "`mdbook build` failed ({status}):\n{output}"
            ),
        }
        assert!(
            dir.join("index.html").is_file(),
            "`mdbook build -d {}` wrote no index.html",
            dir.display()
        );
        BuiltBook { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every HTML page of the site, as `/`-separated paths relative to its root, sorted.
    pub fn html_pages(&self) -> Vec<String> {
        let mut pages = Vec::new();
        collect_html(&self.dir, &self.dir, &mut pages);
        pages.sort();
        pages
    }

    pub fn read(&self, page: &str) -> String {
        let path = self.dir.join(page);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
    }
}

impl Drop for BuiltBook {
    fn drop(&mut self) {
        // Best effort: a leftover scratch build is harmless and the next run clears it.
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn collect_html(root: &Path, dir: &Path, pages: &mut Vec<String>) {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()));
    for entry in entries {
        let path = entry.expect("a readable folder entry").path();
        if path.is_dir() {
            collect_html(root, &path, pages);
        } else if path.extension().is_some_and(|ext| ext == "html") {
            let relative = path.strip_prefix(root).expect("found under the root");
            let parts: Vec<_> = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect();
            pages.push(parts.join("/"));
        }
    }
}

/// The source of each ```mermaid block on a built page, in page order (HTML-unescaped).
pub fn mermaid_sources(html: &str) -> Vec<String> {
    static BLOCK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?s)<pre class="mermaid">(.*?)</pre>"#).expect("a valid pattern")
    });
    BLOCK
        .captures_iter(html)
        .map(|captures| unescape_html(&captures[1]))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Internal links
// ---------------------------------------------------------------------------------------

/// What the link check found: how many internal references it followed, and each broken one.
#[derive(Debug, Default)]
pub struct LinkReport {
    pub checked: usize,
    pub broken: Vec<String>,
}

/// Checks every `href`/`src` of every built page that stays inside the site: the file must
/// exist, and a `#fragment` must name an element `id` (or `<a name>`) of the target page.
/// External references (with a scheme such as `https:` or `mailto:`, or `//host`) are not
/// followed.
pub fn check_internal_links(site: &Path) -> LinkReport {
    static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)\s(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"#)
            .expect("a valid pattern")
    });
    static BASE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)^<base\s[^>]*href\s*=\s*"([^"]*)""#).expect("a valid pattern")
    });

    let mut pages = Vec::new();
    collect_html(site, site, &mut pages);
    pages.sort();

    let mut ids: HashMap<String, HashSet<String>> = HashMap::new();
    let mut report = LinkReport::default();
    for page in &pages {
        let html = std::fs::read_to_string(site.join(page))
            .unwrap_or_else(|error| panic!("cannot read {page}: {error}"));
        let tags = tags(&html);
        // A page with <base href="/"> (mdBook's 404 page) resolves from the site root.
        let base_dir = match tags.iter().find_map(|tag| BASE.captures(tag)) {
            Some(base) if base[1].starts_with('/') => base[1].trim_start_matches('/').to_string(),
            _ => page.rsplit_once('/').map_or("", |(dir, _)| dir).to_string() + "/",
        };
        for captures in tags.iter().flat_map(|tag| REFERENCE.captures_iter(tag)) {
            let attribute = captures[1].to_ascii_lowercase();
            let raw = captures
                .get(2)
                .or(captures.get(3))
                .or(captures.get(4))
                .map_or("", |m| m.as_str());
            let reference = unescape_html(raw);
            if is_external(&reference) {
                continue;
            }
            report.checked += 1;
            let (path_part, fragment) = match reference.split_once('#') {
                Some((path, fragment)) => (path, Some(fragment)),
                None => (reference.as_str(), None),
            };
            let path_part = path_part.split('?').next().unwrap_or_default();
            let target = if path_part.is_empty() {
                page.clone()
            } else {
                match resolve(&base_dir, &percent_decode(path_part)) {
                    Some(target) => target,
                    None => {
                        report.broken.push(format!(
                            "{page}: {attribute}=\"{reference}\" leaves the site"
                        ));
                        continue;
                    }
                }
            };
            // A folder URL serves its index page, as a web server would.
            let target =
                if target.is_empty() || target.ends_with('/') || site.join(&target).is_dir() {
                    match target.trim_end_matches('/') {
                        "" => "index.html".to_string(),
                        dir => format!("{dir}/index.html"),
                    }
                } else {
                    target
                };
            if !site.join(&target).is_file() {
                report.broken.push(format!(
                    "{page}: {attribute}=\"{reference}\": no file {target} in the built book"
                ));
                continue;
            }
            // `#` alone means the top of the page.
            let Some(fragment) = fragment.map(percent_decode).filter(|f| !f.is_empty()) else {
                continue;
            };
            if !target.ends_with(".html") {
                report.broken.push(format!(
                    "{page}: {attribute}=\"{reference}\": a fragment into a non-HTML file"
                ));
                continue;
            }
            let known = ids.entry(target.clone()).or_insert_with(|| {
                let html = std::fs::read_to_string(site.join(&target)).unwrap_or_default();
                element_ids(&html)
            });
            if !known.contains(&fragment) {
                report.broken.push(format!(
                    "{page}: {attribute}=\"{reference}\": {target} has no element with id \"{fragment}\""
                ));
            }
        }
    }
    report
}

/// The start tags of a page (`<a href=…>`), without comments and without script bodies, so
/// that code shown in the book or inside JavaScript is never mistaken for markup.
fn tags(html: &str) -> Vec<String> {
    static COMMENT_OR_SCRIPT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?is)<!--.*?-->|(<script\b[^>]*>).*?</script>").expect("a valid pattern")
    });
    static TAG: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"<[A-Za-z][^>]*>").expect("a valid pattern"));
    let markup = COMMENT_OR_SCRIPT.replace_all(html, "$1");
    TAG.find_iter(&markup)
        .map(|tag| tag.as_str().to_string())
        .collect()
}

/// The file a request path (`/part1/ch01.html?x`, `/`) names inside `site`, as a static web
/// server would serve it; `None` if it climbs out of the site.
pub fn file_for_request(site: &Path, request_path: &str) -> Option<PathBuf> {
    let path = request_path.split(['?', '#']).next().unwrap_or_default();
    let relative = resolve("", &percent_decode(path))?;
    let file = site.join(&relative);
    if relative.is_empty() || relative.ends_with('/') || file.is_dir() {
        Some(file.join("index.html"))
    } else {
        Some(file)
    }
}

fn is_external(reference: &str) -> bool {
    static SCHEME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^[A-Za-z][A-Za-z0-9+.\-]*:").expect("a valid pattern"));
    reference.starts_with("//") || SCHEME.is_match(reference)
}

/// Joins a relative (or site-absolute) URL path onto `base_dir`; `None` if it climbs out of
/// the site.
fn resolve(base_dir: &str, path: &str) -> Option<String> {
    let joined = if let Some(absolute) = path.strip_prefix('/') {
        absolute.to_string()
    } else {
        format!("{base_dir}{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    // Guard against anything `Path` would read as more than a plain name.
    let as_path: PathBuf = parts.iter().collect();
    if as_path
        .components()
        .any(|component| !matches!(component, Component::Normal(_)))
    {
        return None;
    }
    let trailing_slash = joined.ends_with('/') && !parts.is_empty();
    Some(parts.join("/") + if trailing_slash { "/" } else { "" })
}

/// Every `id="…"` (quoted or not) and `<a name="…">` on a page.
pub fn element_ids(html: &str) -> HashSet<String> {
    static ID: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"#)
            .expect("a valid pattern")
    });
    tags(html)
        .iter()
        .flat_map(|tag| ID.captures_iter(tag))
        .filter_map(|captures| captures.get(1).or(captures.get(2)).or(captures.get(3)))
        .map(|m| unescape_html(m.as_str()))
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn unescape_html(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

// ---------------------------------------------------------------------------------------
// Colour and contrast
// ---------------------------------------------------------------------------------------

/// An opaque sRGB colour, channels 0–255.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb(pub f64, pub f64, pub f64);

impl Rgb {
    /// WCAG relative luminance.
    pub fn luminance(self) -> f64 {
        let linear = |channel: f64| {
            let s = channel / 255.0;
            if s <= 0.04045 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }

    fn from_json(value: &Value) -> Option<Rgb> {
        let channels = value.as_array()?;
        let channel = |i: usize| channels.get(i).and_then(Value::as_f64);
        Some(Rgb(channel(0)?, channel(1)?, channel(2)?))
    }
}

impl fmt::Display for Rgb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let byte = |c: f64| c.round().clamp(0.0, 255.0) as u8;
        write!(
            f,
            "#{:02x}{:02x}{:02x}",
            byte(self.0),
            byte(self.1),
            byte(self.2)
        )
    }
}

/// WCAG contrast ratio, from 1 (same luminance) to 21 (black on white).
pub fn contrast_ratio(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// What a colour sample is, which decides the contrast it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleKind {
    /// A label: its text colour against what is painted behind it.
    Text,
    /// An edge or message line against what is behind it.
    Line,
    /// A box (node, actor, note, bar): its fill or its outline against the page around it.
    Outline,
}

/// One measured pair from [`DIAGRAM_PROBE`]: colours as painted (opacity already applied).
#[derive(Debug, Clone)]
pub struct ContrastSample {
    pub kind: SampleKind,
    /// 1-based number of the diagram on its page.
    pub diagram: usize,
    /// The element, as the probe describes it (class names and the label's text).
    pub element: String,
    /// The drawn colours; the sample passes if any one of them contrasts enough
    /// (a box is visible by its fill or by its outline).
    pub colours: Vec<Rgb>,
    pub background: Rgb,
    /// The element's own CSS colours before blending (`rgb(…)`), as the theme set them.
    pub drawn: Vec<String>,
}

impl ContrastSample {
    pub fn required(&self) -> f64 {
        match self.kind {
            SampleKind::Text => TEXT_CONTRAST,
            SampleKind::Line | SampleKind::Outline => GRAPHIC_CONTRAST,
        }
    }

    /// The best contrast among the sample's colours, with that colour.
    pub fn best(&self) -> (f64, Rgb) {
        self.colours
            .iter()
            .map(|&colour| (contrast_ratio(colour, self.background), colour))
            .fold((0.0, self.background), |best, next| {
                if next.0 > best.0 { next } else { best }
            })
    }
}

/// What [`DIAGRAM_PROBE`] reports about one page.
#[derive(Debug, Default)]
pub struct DiagramReport {
    /// `pre.mermaid` blocks on the page.
    pub blocks: usize,
    /// Blocks that hold a real diagram `<svg>` (not mermaid's syntax-error picture).
    pub rendered: usize,
    /// One line per block that did not render.
    pub failures: Vec<String>,
    pub samples: Vec<ContrastSample>,
}

impl DiagramReport {
    pub fn from_json(value: &Value) -> Result<DiagramReport, String> {
        let count = |key: &str| {
            value
                .get(key)
                .and_then(Value::as_u64)
                .map(|n| n as usize)
                .ok_or_else(|| format!("the probe's report lacks `{key}`: {value}"))
        };
        let mut report = DiagramReport {
            blocks: count("blocks")?,
            rendered: count("rendered")?,
            ..DiagramReport::default()
        };
        for failure in value
            .get("failures")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            report
                .failures
                .push(failure.as_str().unwrap_or_default().to_string());
        }
        for sample in value
            .get("samples")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let kind = match sample.get("kind").and_then(Value::as_str) {
                Some("text") => SampleKind::Text,
                Some("line") => SampleKind::Line,
                Some("outline") => SampleKind::Outline,
                other => return Err(format!("unknown sample kind {other:?}")),
            };
            let colours = sample
                .get("colours")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(Rgb::from_json)
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| format!("a sample with unreadable colours: {sample}"))?;
            let background = sample
                .get("background")
                .and_then(Rgb::from_json)
                .ok_or_else(|| format!("a sample without a background: {sample}"))?;
            report.samples.push(ContrastSample {
                kind,
                diagram: sample.get("diagram").and_then(Value::as_u64).unwrap_or(0) as usize,
                element: sample
                    .get("element")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_string(),
                colours,
                background,
                drawn: sample
                    .get("drawn")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|colour| colour.as_str().unwrap_or_default().to_string())
                    .collect(),
            });
        }
        Ok(report)
    }

    /// Samples below their WCAG minimum, one readable line each.
    pub fn contrast_failures(&self) -> Vec<String> {
        self.samples
            .iter()
            .filter_map(|sample| {
                let (ratio, colour) = sample.best();
                (ratio < sample.required()).then(|| {
                    format!(
                        "diagram {}: {:?} {} is {colour} on {} — contrast {ratio:.2}, needs {}",
                        sample.diagram,
                        sample.kind,
                        sample.element,
                        sample.background,
                        sample.required()
                    )
                })
            })
            .collect()
    }

    /// How many samples of each kind were measured, for the test's summary.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for sample in &self.samples {
            let name = match sample.kind {
                SampleKind::Text => "labels",
                SampleKind::Line => "lines",
                SampleKind::Outline => "boxes",
            };
            *counts.entry(name).or_default() += 1;
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_wcag_reference_values() {
        let white = Rgb(255.0, 255.0, 255.0);
        let black = Rgb(0.0, 0.0, 0.0);
        assert!((contrast_ratio(black, white) - 21.0).abs() < 1e-9);
        assert!((contrast_ratio(white, white) - 1.0).abs() < 1e-9);
        // #767676 on white is the classic "just passes 4.5:1" grey.
        let grey = Rgb(118.0, 118.0, 118.0);
        let ratio = contrast_ratio(grey, white);
        assert!((4.5..4.6).contains(&ratio), "{ratio}");
        assert_eq!(grey.to_string(), "#767676");
    }

    #[test]
    fn a_low_contrast_sample_is_reported() {
        let report = DiagramReport::from_json(&serde_json::json!({
            "blocks": 1, "rendered": 1, "failures": [],
            "samples": [
                {"kind": "text", "diagram": 1, "element": "g.node \"A\"",
                 "colours": [[119, 119, 119]], "background": [255, 255, 255]},
                {"kind": "outline", "diagram": 1, "element": "g.node",
                 "colours": [[250, 250, 250], [0, 0, 0]], "background": [255, 255, 255]}
            ]
        }))
        .expect("a well-formed report");
        let failures = report.contrast_failures();
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(failures[0].contains("g.node \"A\""), "{failures:?}");
    }

    fn scratch_site(name: &str, pages: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("book-tests-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (page, html) in pages {
            let path = dir.join(page);
            std::fs::create_dir_all(path.parent().expect("a page has a folder"))
                .expect("a scratch folder");
            std::fs::write(&path, html).expect("a scratch page");
        }
        dir
    }

    #[test]
    fn link_check_finds_missing_files_and_fragments() {
        let site = scratch_site(
            "links",
            &[
                (
                    "index.html",
                    r##"<a href="part/a.html#intro">ok</a> <a href="part/a.html#nowhere">bad</a>
                       <a href="gone.html">bad</a> <img src=css/x.png> <a href="https://x.org/y">ext</a>
                       <a href="#top">ok</a> <h1 id=top>t</h1> <a href="../../etc/passwd">out</a>"##,
                ),
                (
                    "part/a.html",
                    r##"<h2 id="intro">i</h2><a href="../index.html#top">ok</a><a href="../">ok</a>"##,
                ),
                ("css/x.png", ""),
            ],
        );
        let report = check_internal_links(&site);
        let _ = std::fs::remove_dir_all(&site);
        assert_eq!(report.checked, 8, "{report:?}");
        assert_eq!(report.broken.len(), 3, "{report:?}");
        assert!(report.broken[0].contains("#nowhere"), "{report:?}");
        assert!(report.broken[1].contains("gone.html"), "{report:?}");
        assert!(report.broken[2].contains("leaves the site"), "{report:?}");
    }

    #[test]
    fn resolve_handles_dots_and_roots() {
        assert_eq!(
            resolve("part1/", "../index.html").as_deref(),
            Some("index.html")
        );
        assert_eq!(
            resolve("part1/", "/css/a.css").as_deref(),
            Some("css/a.css")
        );
        assert_eq!(resolve("", "../x.html"), None);
        assert_eq!(percent_decode("a%20b"), "a b");
    }
}
