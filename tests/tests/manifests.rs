//! The workspace's crates are set up one way, so that a maintainer adding a listing copies a
//! convention rather than one of several: a crate pinned in the root `[workspace.dependencies]`
//! (third-party crates and the book's helper crates alike) is named with `workspace = true`,
//! a listing carries no `[profile]` (the root's profile builds every listing, so timings
//! compare) and no `rustfmt.toml` of its own (`listings/rustfmt.toml` formats them all).
//! A listing's program whose `src/main.rs` holds no `#[test]` is declared with `test = false`:
//! its tests live in `tests/`, and a test harness for `main.rs` would be one more optimised
//! binary to compile and link for nothing; one that holds tests must not say so. A listing's
//! library likewise: without a `#[test]` in its sources it says `[lib] test = false` (and
//! `doctest = false`, having no examples in its docs either), with one it must not.

use book_tests::{shown, workspace_root};

fn table(path: &std::path::Path) -> toml::Table {
    std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
        .parse()
        .unwrap_or_else(|error| panic!("{} does not parse: {error}", path.display()))
}

#[test]
fn members_take_shared_crates_and_settings_from_the_workspace() {
    let root = workspace_root();
    let pinned = table(&root.join("Cargo.toml"))["workspace"]["dependencies"]
        .as_table()
        .expect("the root Cargo.toml has [workspace.dependencies]")
        .clone();
    let mut manifests: Vec<_> = std::fs::read_dir(root.join("listings"))
        .expect("listings/")
        .flatten()
        .map(|entry| entry.path().join("Cargo.toml"))
        .filter(|path| path.is_file())
        .collect();
    for member in ["tests", "exercises", "xtask"] {
        manifests.push(root.join(member).join("Cargo.toml"));
    }
    let mut problems = Vec::new();
    for manifest in &manifests {
        let crate_dir = manifest.parent().expect("a manifest is in a folder");
        let place = shown(manifest);
        let config = table(manifest);
        for section in ["dependencies", "dev-dependencies", "build-dependencies"] {
            let Some(deps) = config.get(section).and_then(|d| d.as_table()) else {
                continue;
            };
            for (name, spec) in deps {
                let from_workspace = spec
                    .get("workspace")
                    .and_then(|w| w.as_bool())
                    .unwrap_or(false);
                if pinned.contains_key(name) && !from_workspace {
                    problems.push(format!(
                        "{place}: [{section}] {name} is pinned in the root Cargo.toml; \
                         write `{name}.workspace = true` (features may be added)"
                    ));
                }
            }
        }
        if config.contains_key("profile") {
            problems.push(format!(
                "{place}: has a [profile]; the root Cargo.toml's profile builds every listing"
            ));
        }
        let main = crate_dir.join("src").join("main.rs");
        if crate_dir.parent() == Some(&root.join("listings")) && main.is_file() {
            let has_unit_tests =
                std::fs::read_to_string(&main).is_ok_and(|code| code.contains("#[test]"));
            let harness = config
                .get("bin")
                .and_then(|bins| bins.as_array())
                .and_then(|bins| {
                    bins.iter()
                        .find(|bin| bin.get("path").and_then(|p| p.as_str()) == Some("src/main.rs"))
                })
                .is_none_or(|bin| bin.get("test").and_then(|t| t.as_bool()) != Some(false));
            if has_unit_tests && !harness {
                problems.push(format!(
                    "{place}: src/main.rs has tests, but its [[bin]] says test = false, so \
                     they never run"
                ));
            }
            if !has_unit_tests && harness {
                problems.push(format!(
                    "{place}: src/main.rs has no tests; declare it as a [[bin]] with \
                     `test = false` (see the other listings) so no empty harness is built"
                ));
            }
        }
        if crate_dir.parent() == Some(&root.join("listings")) {
            problems.extend(library_harness_problems(crate_dir, &config, &place));
        }
        for name in ["rustfmt.toml", ".rustfmt.toml"] {
            if crate_dir.parent() == Some(&root.join("listings")) && crate_dir.join(name).exists() {
                problems.push(format!(
                    "{}: listings/rustfmt.toml formats every listing; remove this one",
                    shown(&crate_dir.join(name))
                ));
            }
        }
    }
    assert!(
        manifests.len() > 40,
        "found only {} manifests",
        manifests.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// What is wrong with how a listing's library declares its test harnesses: `test = false`
/// exactly when none of its sources (everything under `src/` but `main.rs`) holds a
/// `#[test]`, and `doctest = false` exactly when none holds a code example in its docs.
fn library_harness_problems(
    crate_dir: &std::path::Path,
    config: &toml::Table,
    place: &str,
) -> Vec<String> {
    let src = crate_dir.join("src");
    if !src.join("lib.rs").is_file() {
        return Vec::new();
    }
    let code: Vec<String> = book_tests::rust_files(&src)
        .iter()
        .filter(|path| path.as_path() != src.join("main.rs"))
        .map(|path| std::fs::read_to_string(path).unwrap_or_default())
        .collect();
    let has_unit_tests = code.iter().any(|code| code.contains("#[test]"));
    let has_doc_examples = code.iter().any(|code| {
        code.lines().any(|line| {
            let line = line.trim_start();
            (line.starts_with("///") || line.starts_with("//!")) && line.contains("```")
        })
    });
    let declared = |key: &str| {
        config
            .get("lib")
            .and_then(|lib| lib.get(key))
            .and_then(|value| value.as_bool())
            != Some(false)
    };
    let mut problems = Vec::new();
    for (key, needed, what) in [
        ("test", has_unit_tests, "unit tests (`#[test]`)"),
        ("doctest", has_doc_examples, "examples in its docs"),
    ] {
        match (needed, declared(key)) {
            (true, false) => problems.push(format!(
                "{place}: the library has {what}, but [lib] says {key} = false, so they never run"
            )),
            (false, true) => problems.push(format!(
                "{place}: the library has no {what}; declare `[lib] {key} = false` (see the other \
                 listings) so no empty harness is built"
            )),
            _ => {}
        }
    }
    problems
}
