//! `cargo xtask pdf`: the book on paper. mdBook already renders every chapter
//! into one page, `print.html`, with its print style sheet (chapters start on a
//! new page, long lines wrap instead of being cut); headless Chromium — the one
//! the tests use — runs the page's scripts (the diagrams are drawn by mermaid
//! in the browser) and prints it, with an outline of the headings that a PDF
//! reader shows as a clickable table of contents.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::describe;

/// The file `cargo xtask pdf` writes, inside the built site's folder.
pub const FILE_NAME: &str = "concurrency-is-structure.pdf";

/// Printing 400-odd pages takes seconds; a browser that hangs is stopped.
const LIMIT: Duration = Duration::from_secs(600);

/// Prints `site/print.html` into `output`.
pub fn print(site: &Path, output: &Path) -> Result<()> {
    let page = site.join("print.html");
    if !page.is_file() {
        bail!(
            "{} does not exist: build the book first (`cargo xtask build`)",
            page.display()
        );
    }
    let page = page
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", page.display()))?;
    let chromium = chromium()?;
    let mut command = Command::new(&chromium);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            "--generate-pdf-document-outline",
        ])
        .arg(format!("--print-to-pdf={}", output.display()))
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        // Headless Chromium reports on stderr that it found no D-Bus and
        // no GPU; that is only worth showing when printing fails.
        .stderr(Stdio::piped());
    println!("printing {} with {}", page.display(), chromium.display());
    std::fs::remove_file(output).ok();
    let mut child = command
        .spawn()
        .with_context(|| format!("cannot start {}", describe(&command)))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > LIMIT {
            child.kill().ok();
            bail!("Chromium did not finish printing within {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    if !status.success() || !output.is_file() {
        let mut log = String::new();
        if let Some(mut stderr) = child.stderr.take() {
            std::io::Read::read_to_string(&mut stderr, &mut log).ok();
        }
        bail!(
            "{} failed ({status}) and wrote no {}:\n{log}",
            describe(&command),
            output.display()
        );
    }
    let bytes = std::fs::metadata(output)?.len();
    println!("wrote {} ({:.1} MB)", output.display(), bytes as f64 / 1e6);
    Ok(())
}

/// Chromium, as Debian names it or as other systems do.
fn chromium() -> Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
        .context(
            "Chromium is not on PATH; `cargo xtask setup` installs Debian's \
             `chromium` (or install Chromium or Chrome yourself)",
        )
}
