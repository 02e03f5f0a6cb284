//! `cargo xtask <command>`: the book's own build tool.
//!
//! Two commands are all a reader or a maintainer needs on a fresh machine:
//! `cargo xtask serve` (build the book and serve it with live reload) and
//! `cargo xtask test` (prove that every listing, snippet, output and page still works).
//! Both install what they need first and say what they install.

mod archive;
mod gpu_report;
mod mutants;
mod pdf;
mod setup;
mod test;
mod wasm;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};
use clap::{CommandFactory, Parser, Subcommand};

use crate::setup::Tools;

#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    about = "Build, serve and test the book",
    version
)]
struct Cli {
    /// Where the pinned book tools (mdbook, mdbook-mermaid) are installed.
    /// Defaults to $XDG_CACHE_HOME/concurrency-is-structure (or ~/.cache/...).
    #[arg(long, global = true, env = "BOOK_TOOLS_DIR", value_name = "DIR")]
    tools_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Install what the book and its tests need (pinned tools, Debian packages), then stop.
    Setup,
    /// Build the static site into `book/`.
    Build,
    /// Build the book and serve it at http://localhost:3000 with live reload.
    Serve {
        /// Port to serve on.
        #[arg(long, default_value_t = 3000)]
        port: u16,
    },
    /// Build the book and print it to `book/concurrency-is-structure.pdf` with headless Chromium.
    Pdf {
        /// Print this already built site instead of building `book/`.
        #[arg(long, value_name = "DIR")]
        site: Option<PathBuf>,
        /// Where to write the PDF (default: `concurrency-is-structure.pdf` in the site).
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Run every check: formatting, clippy, all listings' tests, snippets, outputs, the site in a browser.
    Test,
    /// Regenerate listings' `output.txt` from a real run (all, or the ones named).
    ///
    /// Timings are only worth recording on a quiet machine, so this refuses when the
    /// one-minute load average is above half the cores, unless told `--busy`.
    Bless {
        /// Record even though the machine is busy; each timed output's header then says so.
        #[arg(long)]
        busy: bool,
        /// Listings to bless (package names); all of them when none is given.
        listings: Vec<String>,
    },
    /// Plant bugs in listings' libraries with cargo-mutants and report which ones their
    /// tests miss (installs the pinned cargo-mutants the first time; not part of `test`).
    Mutants {
        /// Test again only the mutants that the listing's last full run reported missed,
        /// after its tests were made stronger (a few seconds each instead of the whole run).
        #[arg(long)]
        survivors: bool,
        /// How many listings to mutate at once, each with a build folder of its own.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
        jobs: u16,
        /// Listings to mutate (package names); at least one.
        listings: Vec<String>,
    },
    /// Run the device listings on an NVIDIA GPU and write each run to `output-gpu.txt`.
    ///
    /// Runs every listing whose Cargo.toml declares `[package.metadata.book] gpu-report =
    /// { args = [...] }` (or the ones named), all runs within four minutes. Without an
    /// NVIDIA GPU it measures nothing and fails, after writing a note that no GPU was
    /// measured where a listing has no `output-gpu.txt`.
    GpuReport {
        /// Listings to run (package names); every declaring one when none is given.
        listings: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if error.use_stderr() => {
            // A typo such as `cargo xtask biuld` gets the list of commands, not just a hint.
            eprintln!("{error}");
            eprintln!("{}", Cli::command().render_help());
            return ExitCode::from(2);
        }
        Err(help_or_version) => help_or_version.exit(),
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let root = workspace_root();
    std::env::set_current_dir(&root)
        .with_context(|| format!("cannot enter the workspace root {}", root.display()))?;
    let tools = Tools::new(cli.tools_dir)?;
    match cli.command {
        Task::Setup => {
            tools.ensure_all()?;
            println!("setup: everything the book and its tests need is installed");
            Ok(())
        }
        Task::Build => {
            tools.ensure_book_tools()?;
            build_book(&tools, &root, wasm::IfMissing::Warn)
        }
        Task::Serve { port } => {
            tools.ensure_book_tools()?;
            wasm::build_modules(&root, wasm::IfMissing::Warn, &setup::ensure_wasm_packages)?;
            println!("serving the book at http://localhost:{port} (Ctrl-C stops it)");
            let mut mdbook = tools.command("mdbook");
            mdbook.args(["serve", "--hostname", "127.0.0.1", "--port"]);
            mdbook.arg(port.to_string());
            run_command(&mut mdbook)
        }
        Task::Pdf { site, output } => {
            let site = match site {
                Some(site) => site,
                None => {
                    tools.ensure_book_tools()?;
                    build_book(&tools, &root, wasm::IfMissing::Warn)?;
                    root.join("book")
                }
            };
            let output = output.unwrap_or_else(|| site.join(pdf::FILE_NAME));
            pdf::print(&site, &output)
        }
        Task::Test => test::run_all(&tools, &root),
        Task::Bless { busy, listings } => test::bless(&tools, busy, &listings),
        Task::Mutants {
            survivors,
            jobs,
            listings,
        } => mutants::run(&tools, &root, &listings, survivors, jobs.into()),
        Task::GpuReport { listings } => gpu_report::run(&tools, &root, &listings),
    }
}

/// `xtask` lives one folder below the workspace root.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the workspace")
        .to_path_buf()
}

/// Builds the book into `book/`. Some pages load WebAssembly modules, which mdBook copies
/// from `src/`: `if_missing` says whether a machine that cannot compile them gets the
/// rest of the book with a warning (`build`, `serve`) or an error (`test`).
fn build_book(tools: &Tools, root: &Path, if_missing: wasm::IfMissing) -> Result<()> {
    wasm::build_modules(root, if_missing, &setup::ensure_wasm_packages)?;
    // The listings as one download, which "Running the listings" links to.
    archive::write(root)?;
    let mut mdbook = tools.command("mdbook");
    mdbook.arg("build");
    run_command(&mut mdbook)?;
    println!(
        "built the book into {}",
        root.join("book").join("index.html").display()
    );
    Ok(())
}

/// The latest modification time of any file in `paths` (files, or folders walked whole).
fn newest_modification(paths: &[PathBuf]) -> Result<std::time::SystemTime> {
    let mut newest = std::time::SystemTime::UNIX_EPOCH;
    let mut pending = paths.to_vec();
    while let Some(path) = pending.pop() {
        let meta =
            std::fs::metadata(&path).with_context(|| format!("cannot read {}", path.display()))?;
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path)? {
                pending.push(entry?.path());
            }
        } else {
            newest = newest.max(meta.modified()?);
        }
    }
    Ok(newest)
}

/// Runs a command with inherited output; a non-zero exit becomes an error naming the command.
fn run_command(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("cannot start {}", describe(command)))?;
    if !status.success() {
        bail!("{} failed ({status})", describe(command));
    }
    Ok(())
}

/// `[package.metadata.book.<key>]` in a listing's manifest, if it has one: where the
/// book's tasks (`build`'s WebAssembly modules, `mutants`' features) read what a listing
/// declares.
fn book_metadata<'a>(manifest: &'a toml::Table, key: &str) -> Option<&'a toml::Value> {
    manifest
        .get("package")?
        .get("metadata")?
        .get("book")?
        .get(key)
}

/// A TOML list of strings; `None` for any other value.
fn string_list(value: &toml::Value) -> Option<Vec<String>> {
    value
        .as_array()?
        .iter()
        .map(|item| item.as_str().map(str::to_string))
        .collect()
}

/// The command line as a reader would type it.
fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The cargo that runs us, so nested builds use the same toolchain, without the
/// variables `cargo run` set for xtask itself: a build script that watches one of them
/// would rebuild its crate whenever a cargo started elsewhere builds the workspace.
fn cargo() -> Command {
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    book_helpers::without_package_env(&mut cargo);
    cargo
}
