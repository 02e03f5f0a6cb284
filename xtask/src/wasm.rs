//! The book's WebAssembly modules. From `listings/ch18-wasm-workers`, the browser chapter's:
//!
//! * `ch18_wasm_workers.wasm`: an ordinary module with its own memory, one instance per
//!   Web Worker (the message-passing demos);
//! * `ch18_wasm_workers_shared.wasm`: compiled with atomics, importing one shared memory
//!   that every worker's instance uses at once (the shared-memory demo).
//!
//! Both land in `src/part2/demos/wasm/` (git-ignored), which mdBook copies into the site
//! next to the chapter. The shared module needs the standard library compiled again with
//! atomics, so both are built with `-Zbuild-std`, from a small manifest of their own under
//! `target/wasm/` that points at the listing's `src/lib.rs`: the workspace's lock file and
//! build stay untouched, and neither compiler sees the other's artefacts.
//!
//! From `listings/scheduler-stepper`, `scheduler_stepper.wasm` in `src/stepper/wasm/`, the
//! scheduler puzzles of chapters 3, 5, 7 and 8: a plain module like the first. It too needs
//! `-Zbuild-std`: neither rustup's toolchain here nor Debian's `rustc-web` ships a prebuilt
//! standard library for wasm32, and the build works the same on both.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use anyhow::{Context, Result, bail};

use crate::{describe, run_command};

const LISTING: &str = "listings/ch18-wasm-workers";
/// Where the pages load the modules from (see the chapter's `demos/` folder).
pub const OUT_DIR: &str = "src/part2/demos/wasm";
const TARGET: &str = "wasm32-unknown-unknown";
/// The shared memory's upper limit, in bytes; the page creates the memory with the same.
const MAX_MEMORY: u32 = 64 * 1024 * 1024;

/// One module: its file name and what its build adds to the compiler's flags.
struct Module {
    file: &'static str,
    name: &'static str,
    rustflags: &'static [&'static str],
}

const MODULES: [Module; 2] = [
    Module {
        file: "ch18_wasm_workers.wasm",
        name: "plain",
        rustflags: &[],
    },
    Module {
        file: "ch18_wasm_workers_shared.wasm",
        name: "shared",
        rustflags: &[
            "-C",
            "target-feature=+atomics,+bulk-memory,+mutable-globals",
            // One memory, made by the page and handed to every instance.
            "-C",
            "link-arg=--shared-memory",
            "-C",
            "link-arg=--import-memory",
            // Each worker's instance needs a stack and thread-local storage of its own in
            // that memory; the page sets them up through these.
            "-C",
            "link-arg=--export=__stack_pointer",
            "-C",
            "link-arg=--export=__wasm_init_tls",
            "-C",
            "link-arg=--export=__tls_size",
            "-C",
            "link-arg=--export=__tls_align",
        ],
    },
];

/// The compiler that builds the modules.
enum Toolchain {
    /// The rustup toolchain in use, when it has the standard library's sources.
    Rustup { cargo: PathBuf, rustc: PathBuf },
    /// Debian's `rustc-web`, `cargo-web` and `rust-web-src`, linked by `wasm-ld` (`lld`).
    Debian,
}

impl Toolchain {
    /// rustup first: with `rust-src` it compiles the standard library for wasm32 itself
    /// and links with its own `rust-lld`. Otherwise Debian's packages, which
    /// `cargo xtask setup` installs.
    fn detect() -> Result<Toolchain> {
        let rustup_has_sources = Command::new("rustup")
            .args(["component", "list", "--installed"])
            .output()
            .is_ok_and(|out| {
                out.status.success()
                    && String::from_utf8_lossy(&out.stdout)
                        .lines()
                        .any(|line| line.starts_with("rust-src"))
            });
        if rustup_has_sources {
            let which = |tool: &str| -> Result<PathBuf> {
                let out = Command::new("rustup").args(["which", tool]).output()?;
                Ok(PathBuf::from(String::from_utf8(out.stdout)?.trim()))
            };
            return Ok(Toolchain::Rustup {
                cargo: which("cargo")?,
                rustc: which("rustc")?,
            });
        }
        let needed = [
            ("/usr/bin/rustc", "rustc-web"),
            ("/usr/bin/cargo", "cargo-web"),
            (
                "/usr/lib/rustlib/src/rust/library/Cargo.toml",
                "rust-web-src",
            ),
            ("/usr/bin/wasm-ld", "lld"),
        ];
        let missing: Vec<_> = needed
            .iter()
            .filter(|(path, _)| !Path::new(path).exists())
            .map(|(path, package)| format!("{path} (Debian package {package})"))
            .collect();
        if !missing.is_empty() {
            bail!(
                "the WebAssembly build needs a rustup toolchain with `rust-src` or Debian's \
                 wasm32 compiler; missing: {}. `cargo xtask setup` installs them",
                missing.join(", ")
            );
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

/// A listing compiled to WebAssembly, the modules made from it, and where the pages load
/// them from.
struct WasmListing {
    dir: &'static str,
    /// What the messages call its modules.
    what: &'static str,
    out_dir: &'static str,
    /// Features its source tests with `cfg(feature = ..)`, declared (and left off) in the
    /// manifest the build writes, so the compiler knows the names.
    features: &'static [&'static str],
    modules: &'static [Module],
}

const LISTINGS: [WasmListing; 2] = [
    WasmListing {
        dir: LISTING,
        what: "the browser chapter's modules",
        out_dir: OUT_DIR,
        features: &[],
        modules: &MODULES,
    },
    // The scheduler puzzles of chapters 3, 5, 7 and 8: a plain module, one instance per
    // page, loaded by src/stepper/stepper.js.
    WasmListing {
        dir: "listings/scheduler-stepper",
        what: "the scheduler puzzles' module",
        out_dir: "src/stepper/wasm",
        features: &["loom"],
        modules: &[Module {
            file: "scheduler_stepper.wasm",
            name: "stepper",
            rustflags: &[],
        }],
    },
];

/// Builds every module whose listing changed since it was last built, and copies it to
/// its listing's `out_dir`. Up to date, it only compares file times.
pub fn build_modules(root: &Path) -> Result<()> {
    for listing in &LISTINGS {
        build_listing(root, listing)?;
    }
    Ok(())
}

fn build_listing(root: &Path, listing: &WasmListing) -> Result<()> {
    let out_dir = root.join(listing.out_dir);
    let sources = newest_source(root, listing.dir)?;
    let stale: Vec<&Module> = listing
        .modules
        .iter()
        .filter(|module| {
            std::fs::metadata(out_dir.join(module.file))
                .and_then(|meta| meta.modified())
                .map_or(true, |built| built < sources)
        })
        .collect();
    if stale.is_empty() {
        println!("wasm: {} in {}/: up to date", listing.what, listing.out_dir);
        return Ok(());
    }
    let toolchain = Toolchain::detect()?;
    let package = package_name(listing.dir);
    let crate_dir = match listing.dir {
        LISTING => root.join("target").join("wasm").join("crate"),
        _ => root.join("target").join("wasm").join(package),
    };
    write_manifest(root, &crate_dir, listing.dir, listing.features)?;
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    for module in stale {
        println!(
            "wasm: building the {} module {} with {} (the first build compiles the standard \
             library, about a minute)",
            module.name,
            module.file,
            toolchain.describe()
        );
        let target_dir = root.join("target").join("wasm").join(module.name);
        let mut flags = toolchain.base_rustflags();
        flags.extend(module.rustflags);
        let max_memory = format!("link-arg=--max-memory={MAX_MEMORY}");
        if module.name == "shared" {
            flags.extend(["-C", max_memory.as_str()]);
        }
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
            .join(format!("{}.wasm", package.replace('-', "_")));
        let copy = out_dir.join(module.file);
        std::fs::copy(&built, &copy)
            .with_context(|| format!("cannot copy {} to {}", built.display(), copy.display()))?;
        println!("wasm: wrote {}/{}", listing.out_dir, module.file);
    }
    Ok(())
}

/// The package a listing's folder holds: its name, as in the workspace.
fn package_name(listing: &str) -> &str {
    listing.rsplit('/').next().unwrap_or(listing)
}

/// A manifest outside the workspace whose library is the listing's own source: the
/// listing has no dependencies there, so nothing else needs to be resolved or compiled.
fn write_manifest(root: &Path, crate_dir: &Path, listing: &str, features: &[&str]) -> Result<()> {
    let lib = root.join(listing).join("src").join("lib.rs");
    let features: String = features
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
        package = package_name(listing),
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
    let mut newest = SystemTime::UNIX_EPOCH;
    let listing = root.join(listing);
    let mut pending = vec![
        listing.join("src"),
        listing.join("Cargo.toml"),
        root.join("xtask").join("src").join("wasm.rs"),
    ];
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_builds_the_listing_alone_as_a_cdylib() {
        let root = crate::workspace_root();
        let dir = root.join("target").join("xtask-test").join("wasm-manifest");
        write_manifest(&root, &dir, LISTING, &[]).expect("the manifest is written");
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("readable");
        let lib = root.join(LISTING).join("src").join("lib.rs");
        assert!(lib.is_file(), "{} is the listing's library", lib.display());
        assert!(manifest.contains(&format!("path = {:?}", lib.display().to_string())));
        assert!(manifest.contains("crate-type = [\"cdylib\"]"));
        // Without its own [workspace], cargo would climb to the book's and resolve it all.
        assert!(manifest.contains("\n[workspace]\n"));
        // One target folder per module: flags differ, so sharing one would rebuild.
        let modules: Vec<&Module> = LISTINGS.iter().flat_map(|l| l.modules).collect();
        for (i, a) in modules.iter().enumerate() {
            for b in &modules[i + 1..] {
                assert_ne!(a.name, b.name);
                assert_ne!(a.file, b.file);
            }
        }
    }

    #[test]
    fn the_sources_include_the_build_flags() {
        let root = crate::workspace_root();
        let newest = newest_source(&root, LISTING).expect("the listing's sources are readable");
        let flags = std::fs::metadata(root.join("xtask/src/wasm.rs"))
            .and_then(|meta| meta.modified())
            .expect("this file");
        assert!(
            newest >= flags,
            "a change of flags must rebuild the modules"
        );
    }
}
