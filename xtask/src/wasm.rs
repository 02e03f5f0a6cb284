//! The book's WebAssembly modules. A listing that the pages run in the browser declares
//! them in its own manifest, and this file knows no chapter:
//!
//! ```toml
//! [package.metadata.book.wasm]
//! what = "the browser chapter's modules"      # what messages call them
//! out-dir = "src/part2/demos/wasm"            # where the pages load them from
//!
//! [[package.metadata.book.wasm.modules]]
//! file = "ch18_wasm_workers_shared.wasm"
//! rustflags = ["-C", "target-feature=+atomics"]   # added to the build's flags
//! ```
//!
//! Each module is built from a small manifest of its own under `target/wasm/` that points
//! at the listing's `src/lib.rs` (the listing has no dependencies there), with
//! `-Zbuild-std`: neither rustup's toolchain without `rust-src` nor Debian's `rustc-web`
//! ships a prebuilt standard library for wasm32, and a module with atomics needs the
//! standard library compiled again anyway. The workspace's lock file and build stay
//! untouched, and no module's compiler sees another's artefacts. The out-dirs are under
//! `src/` (and git-ignored) because mdBook copies everything there into the site.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use anyhow::{Context, Result, bail};

use crate::{book_metadata, describe, newest_modification, run_command, string_list};

const TARGET: &str = "wasm32-unknown-unknown";

/// One module: its file name and what its build adds to the compiler's flags.
#[derive(Debug)]
struct Module {
    file: String,
    rustflags: Vec<String>,
}

impl Module {
    /// The module's own target folder under `target/wasm/`: flags differ between modules,
    /// so sharing one would rebuild everything each time.
    fn name(&self) -> &str {
        self.file.strip_suffix(".wasm").unwrap_or(&self.file)
    }
}

/// A listing compiled to WebAssembly, the modules made from it, and where the pages load
/// them from.
#[derive(Debug)]
struct WasmListing {
    /// The listing's folder, relative to the workspace root.
    dir: String,
    package: String,
    /// What the messages call its modules.
    what: String,
    out_dir: String,
    /// The listing's features, declared (and left off) in the manifest the build writes,
    /// so the compiler knows the names its source tests with `cfg(feature = ..)`.
    features: Vec<String>,
    modules: Vec<Module>,
}

/// What to do when the machine cannot build the modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMissing {
    /// Build and serve the rest of the book with a warning; the pages that load a
    /// module say what is missing and how to get it.
    Warn,
    /// Fail: the book's tests need every module.
    Fail,
}

/// The listings under `listings/` whose manifests declare WebAssembly modules.
fn wasm_listings(root: &Path) -> Result<Vec<WasmListing>> {
    let mut found = Vec::new();
    let listings = root.join("listings");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&listings)
        .with_context(|| format!("cannot list {}", listings.display()))?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()?;
    dirs.sort();
    for dir in dirs {
        let manifest_path = dir.join("Cargo.toml");
        if !manifest_path.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&manifest_path)
            .with_context(|| format!("cannot read {}", manifest_path.display()))?;
        let relative = dir
            .strip_prefix(root)
            .unwrap_or(&dir)
            .to_string_lossy()
            .into_owned();
        if let Some(listing) = parse_listing(&relative, &text)
            .with_context(|| format!("in {}", manifest_path.display()))?
        {
            found.push(listing);
        }
    }
    Ok(found)
}

/// A listing's WebAssembly declaration, if its manifest has one.
fn parse_listing(dir: &str, manifest: &str) -> Result<Option<WasmListing>> {
    let manifest: toml::Table = toml::from_str(manifest)?;
    let Some(package) = manifest.get("package").and_then(|p| p.as_table()) else {
        return Ok(None);
    };
    let Some(wasm) = book_metadata(&manifest, "wasm") else {
        return Ok(None);
    };
    let text = |key: &str| -> Result<String> {
        wasm.get(key)
            .and_then(|value| value.as_str())
            .map(str::to_string)
            .with_context(|| format!("[package.metadata.book.wasm] needs `{key}` (a string)"))
    };
    let strings = |value: Option<&toml::Value>, what: &str| -> Result<Vec<String>> {
        value.map_or(Ok(Vec::new()), |value| {
            string_list(value).with_context(|| format!("`{what}` must be a list of strings"))
        })
    };
    let modules = wasm
        .get("modules")
        .and_then(|m| m.as_array())
        .filter(|modules| !modules.is_empty())
        .context("[[package.metadata.book.wasm.modules]] needs at least one module")?
        .iter()
        .map(|module| {
            let file = module
                .get("file")
                .and_then(|f| f.as_str())
                .filter(|f| f.ends_with(".wasm") && !f.contains('/'))
                .context("each module needs `file`, a name ending in .wasm")?;
            Ok(Module {
                file: file.to_string(),
                rustflags: strings(module.get("rustflags"), "rustflags")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let features = manifest
        .get("features")
        .and_then(|f| f.as_table())
        .map(|table| table.keys().cloned().collect())
        .unwrap_or_default();
    Ok(Some(WasmListing {
        dir: dir.to_string(),
        package: package
            .get("name")
            .and_then(|n| n.as_str())
            .context("[package] needs a name")?
            .to_string(),
        what: text("what")?,
        out_dir: text("out-dir")?,
        features,
        modules,
    }))
}

/// The files of Debian's wasm32 compiler, relative to `/`, and the packages that
/// install them (also in `cargo xtask setup`'s list).
const DEBIAN_FILES: [(&str, &str); 4] = [
    ("usr/bin/rustc", "rustc-web"),
    ("usr/bin/cargo", "cargo-web"),
    (
        "usr/lib/rustlib/src/rust/library/Cargo.toml",
        "rust-web-src",
    ),
    ("usr/bin/wasm-ld", "lld"),
];

/// The compiler that builds the modules.
#[derive(Debug)]
enum Toolchain {
    /// The rustup toolchain in use, when it has the standard library's sources.
    Rustup { cargo: PathBuf, rustc: PathBuf },
    /// Debian's `rustc-web`, `cargo-web` and `rust-web-src`, linked by `wasm-ld` (`lld`).
    Debian,
}

impl Toolchain {
    /// rustup first: with `rust-src` it compiles the standard library for wasm32 itself
    /// and links with its own `rust-lld`. Otherwise Debian's packages, which
    /// `cargo xtask setup` installs. The error says what is missing, in a sentence.
    fn detect() -> Result<Toolchain, String> {
        Self::detect_with("rustup", Path::new("/"))
    }

    /// [`Toolchain::detect`] with rustup's name and the root under which Debian's
    /// packages are looked for, so a test can hide both.
    fn detect_with(rustup: &str, system_root: &Path) -> Result<Toolchain, String> {
        let rustup_has_sources = Command::new(rustup)
            .args(["component", "list", "--installed"])
            .output()
            .is_ok_and(|out| {
                out.status.success()
                    && String::from_utf8_lossy(&out.stdout)
                        .lines()
                        .any(|line| line.starts_with("rust-src"))
            });
        if rustup_has_sources {
            let which = |tool: &str| -> Option<PathBuf> {
                let out = Command::new(rustup).args(["which", tool]).output().ok()?;
                let path = String::from_utf8(out.stdout).ok()?;
                Some(PathBuf::from(path.trim()))
            };
            if let (Some(cargo), Some(rustc)) = (which("cargo"), which("rustc")) {
                return Ok(Toolchain::Rustup { cargo, rustc });
            }
        }
        let missing: Vec<_> = DEBIAN_FILES
            .iter()
            .filter(|(path, _)| !system_root.join(path).exists())
            .map(|(path, package)| format!("/{path} (Debian package {package})"))
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "they need rustup's `rust-src` component or Debian's wasm32 compiler, and \
                 this machine has neither: no rust-src, and no {}",
                missing.join(", ")
            ));
        }
        Ok(Toolchain::Debian)
    }

    fn describe(&self) -> String {
        match self {
            Toolchain::Rustup { rustc, .. } => format!("rustup's {}", rustc.display()),
            Toolchain::Debian => "Debian's rustc-web (/usr/bin/rustc) with wasm-ld".to_string(),
        }
    }

    fn cargo(&self) -> Command {
        let mut command = match self {
            Toolchain::Rustup { cargo, rustc } => {
                let mut command = Command::new(cargo);
                command.env("RUSTC", rustc);
                command
            }
            Toolchain::Debian => {
                let mut command = Command::new("/usr/bin/cargo");
                command.env("RUSTC", "/usr/bin/rustc");
                command
            }
        };
        // `-Zbuild-std` is unstable; the bootstrap switch allows it on a stable compiler.
        command.env("RUSTC_BOOTSTRAP", "1");
        // What the outer `cargo xtask` set for itself must not leak into this build.
        for variable in [
            "CARGO_TARGET_DIR",
            "CARGO_ENCODED_RUSTFLAGS",
            "RUSTC_WRAPPER",
            "RUSTC_WORKSPACE_WRAPPER",
            "CARGO_BUILD_TARGET",
            "RUSTUP_TOOLCHAIN",
        ] {
            command.env_remove(variable);
        }
        command
    }

    fn base_rustflags(&self) -> Vec<&'static str> {
        match self {
            // Debian's rust-lld wrapper needs an LLVM that is not installed; lld's wasm-ld works.
            Toolchain::Debian => vec!["-C", "linker=wasm-ld"],
            Toolchain::Rustup { .. } => Vec::new(),
        }
    }
}

/// Builds every module whose listing changed since it was last built, and copies it to
/// its listing's `out_dir`. Up to date, it only compares file times.
///
/// When the machine has no compiler for them, `install` gets one chance (Debian's
/// packages, when this user may install them); after that, [`IfMissing`] decides.
pub fn build_modules(
    root: &Path,
    if_missing: IfMissing,
    install: &dyn Fn() -> Result<()>,
) -> Result<()> {
    let listings = wasm_listings(root)?;
    let mut stale = Vec::new();
    for listing in &listings {
        let modules = stale_modules(root, listing)?;
        if modules.is_empty() {
            println!("wasm: {} in {}/: up to date", listing.what, listing.out_dir);
        } else {
            stale.push((listing, modules));
        }
    }
    if stale.is_empty() {
        return Ok(());
    }
    let toolchain = match Toolchain::detect() {
        Ok(toolchain) => toolchain,
        Err(missing) => match install()
            .map_err(|e| format!("{e:#}"))
            .and_then(|()| Toolchain::detect())
        {
            Ok(toolchain) => toolchain,
            Err(still_missing) => {
                let what: Vec<&str> = stale.iter().map(|(l, _)| l.what.as_str()).collect();
                let reason = format!(
                    "cannot build {}: {missing}{}",
                    what.join(" and "),
                    if still_missing == missing {
                        String::new()
                    } else {
                        format!(" (installing them failed: {still_missing})")
                    }
                );
                return match if_missing {
                    IfMissing::Fail => bail!("{reason}. `cargo xtask setup` installs them"),
                    IfMissing::Warn => {
                        println!(
                            "warning: {reason}.\nwarning: the book is built without them; the \
                             pages that load them say so. To build them: `rustup component add \
                             rust-src`, or run `cargo xtask setup` as root"
                        );
                        Ok(())
                    }
                };
            }
        },
    };
    for (listing, modules) in stale {
        build_listing(root, &toolchain, listing, &modules)?;
    }
    Ok(())
}

/// The modules of a listing that are missing or older than its sources.
fn stale_modules<'a>(root: &Path, listing: &'a WasmListing) -> Result<Vec<&'a Module>> {
    let out_dir = root.join(&listing.out_dir);
    let sources = newest_source(root, &listing.dir)?;
    Ok(listing
        .modules
        .iter()
        .filter(|module| {
            std::fs::metadata(out_dir.join(&module.file))
                .and_then(|meta| meta.modified())
                .map_or(true, |built| built < sources)
        })
        .collect())
}

fn build_listing(
    root: &Path,
    toolchain: &Toolchain,
    listing: &WasmListing,
    modules: &[&Module],
) -> Result<()> {
    let out_dir = root.join(&listing.out_dir);
    let crate_dir = root.join("target").join("wasm").join(&listing.package);
    write_manifest(root, &crate_dir, listing)?;
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    for module in modules {
        println!(
            "wasm: building {} for {} with {} (the first build compiles the standard \
             library, about a minute)",
            module.file,
            listing.what,
            toolchain.describe()
        );
        let target_dir = root.join("target").join("wasm").join(module.name());
        let mut flags: Vec<&str> = toolchain.base_rustflags();
        flags.extend(module.rustflags.iter().map(String::as_str));
        let mut cargo = toolchain.cargo();
        cargo
            .current_dir(&crate_dir)
            .args([
                "build",
                "--release",
                "--quiet",
                "-Zbuild-std=std,panic_abort",
            ])
            .args(["--target", TARGET, "--target-dir"])
            .arg(&target_dir)
            .env("RUSTFLAGS", flags.join(" "));
        run_command(&mut cargo)
            .with_context(|| format!("building {} failed ({})", module.file, describe(&cargo)))?;
        let built = target_dir
            .join(TARGET)
            .join("release")
            .join(format!("{}.wasm", listing.package.replace('-', "_")));
        let copy = out_dir.join(&module.file);
        std::fs::copy(&built, &copy)
            .with_context(|| format!("cannot copy {} to {}", built.display(), copy.display()))?;
        println!("wasm: wrote {}/{}", listing.out_dir, module.file);
    }
    Ok(())
}

/// A manifest outside the workspace whose library is the listing's own source: the
/// listing has no dependencies there, so nothing else needs to be resolved or compiled.
fn write_manifest(root: &Path, crate_dir: &Path, listing: &WasmListing) -> Result<()> {
    let lib = root.join(&listing.dir).join("src").join("lib.rs");
    let features: String = listing
        .features
        .iter()
        .map(|name| format!("{name} = []\n"))
        .collect();
    let manifest = format!(
        "# Written by `cargo xtask` (xtask/src/wasm.rs); the source is {listing}.\n\
         [package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [lib]\ncrate-type = [\"cdylib\"]\npath = {lib:?}\n\n\
         [features]\n{features}\n\
         # A workspace of its own, so cargo does not look for the book's.\n[workspace]\n\n\
         [profile.release]\npanic = \"abort\"\n",
        listing = listing.dir,
        package = listing.package,
        lib = lib.display().to_string()
    );
    std::fs::create_dir_all(crate_dir)
        .with_context(|| format!("cannot create {}", crate_dir.display()))?;
    let path = crate_dir.join("Cargo.toml");
    // Rewritten only when different, so cargo's own freshness check stays quiet.
    if std::fs::read_to_string(&path).ok().as_deref() != Some(manifest.as_str()) {
        std::fs::write(&path, manifest)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// The latest modification time of the listing's sources and manifest, and of this file
/// (which holds the compiler flags).
fn newest_source(root: &Path, listing: &str) -> Result<SystemTime> {
    let listing = root.join(listing);
    newest_modification(&[
        listing.join("src"),
        listing.join("Cargo.toml"),
        root.join("xtask").join("src").join("wasm.rs"),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listings_declare_their_modules_and_no_two_share_a_file() {
        let root = crate::workspace_root();
        let listings = wasm_listings(&root).expect("the manifests are readable");
        assert!(
            listings.len() >= 2,
            "the browser chapter and the scheduler puzzles declare modules: {listings:?}"
        );
        let files: Vec<&str> = listings
            .iter()
            .flat_map(|l| &l.modules)
            .map(|m| m.file.as_str())
            .collect();
        for (i, file) in files.iter().enumerate() {
            assert!(!files[i + 1..].contains(file), "{file} is declared twice");
        }
        for listing in &listings {
            assert!(
                listing.out_dir.starts_with("src/"),
                "mdBook copies only src/ into the site: {listing:?}"
            );
        }
    }

    #[test]
    fn a_declaration_without_modules_or_with_a_bad_file_is_an_error() {
        let header = "[package]\nname = \"x\"\n[package.metadata.book.wasm]\n\
                      what = \"x\"\nout-dir = \"src/x\"\n";
        assert!(parse_listing("listings/x", header).is_err());
        let bad = format!("{header}[[package.metadata.book.wasm.modules]]\nfile = \"x.js\"\n");
        assert!(parse_listing("listings/x", &bad).is_err());
        let good = format!(
            "{header}[[package.metadata.book.wasm.modules]]\nfile = \"x.wasm\"\n\
             rustflags = [\"-C\", \"opt-level=s\"]\n[features]\nloom = []\n"
        );
        let listing = parse_listing("listings/x", &good)
            .expect("valid")
            .expect("declared");
        assert_eq!(listing.modules[0].rustflags, ["-C", "opt-level=s"]);
        assert_eq!(listing.features, ["loom"]);
        assert!(
            parse_listing("listings/y", "[package]\nname = \"y\"\n")
                .expect("valid")
                .is_none()
        );
    }

    #[test]
    fn the_manifest_builds_the_listing_alone_as_a_cdylib() {
        let root = crate::workspace_root();
        let listings = wasm_listings(&root).expect("the manifests are readable");
        let listing = &listings[0];
        let dir = root.join("target").join("xtask-test").join("wasm-manifest");
        write_manifest(&root, &dir, listing).expect("the manifest is written");
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("readable");
        let lib = root.join(&listing.dir).join("src").join("lib.rs");
        assert!(lib.is_file(), "{} is the listing's library", lib.display());
        assert!(manifest.contains(&format!("path = {:?}", lib.display().to_string())));
        assert!(manifest.contains("crate-type = [\"cdylib\"]"));
        // Without its own [workspace], cargo would climb to the book's and resolve it all.
        assert!(manifest.contains("\n[workspace]\n"));
    }

    #[test]
    fn a_machine_without_a_wasm32_compiler_is_told_what_is_missing() {
        let nowhere = crate::workspace_root().join("target/xtask-test/no-system");
        let missing = Toolchain::detect_with("no-such-rustup", &nowhere)
            .expect_err("neither rustup nor Debian's compiler is there");
        for needed in ["rust-src", "rustc-web", "cargo-web", "rust-web-src", "lld"] {
            assert!(missing.contains(needed), "{missing}");
        }
    }

    #[test]
    fn the_sources_include_the_build_flags() {
        let root = crate::workspace_root();
        for listing in wasm_listings(&root).expect("the manifests are readable") {
            let newest = newest_source(&root, &listing.dir).expect("readable sources");
            for flags in ["xtask/src/wasm.rs", &format!("{}/Cargo.toml", listing.dir)] {
                let changed = std::fs::metadata(root.join(flags))
                    .and_then(|meta| meta.modified())
                    .expect("the file is there");
                assert!(
                    newest >= changed,
                    "a change of {flags} must rebuild the modules"
                );
            }
        }
    }
}
