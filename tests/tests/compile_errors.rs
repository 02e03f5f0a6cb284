//! The compiler errors a chapter quotes come from the compiler. A ```` ```rust,compile_fail ````
//! block that is followed by a ```` ```text ```` block including `tests/compile-errors/<name>.stderr`
//! is compiled here as `<name>.rs`, as the reader would save it, and the first error `rustc`
//! reports must equal the committed file. `BLESS=1` (which `cargo xtask bless` sets) rewrites
//! the files instead; a new `rustc` that words an error differently fails here until it does.
//! Paths into the standard library read `$SRC_DIR/…`, as in rustc's own test suite.

use std::path::{Path, PathBuf};
use std::process::Command;

use book_tests::chapters::{code_blocks, includes_in};
use book_tests::{read_chapters, shown};

/// A quoted error: the code block that causes it and the file the chapter shows it from.
struct Quoted {
    place: String,
    code: String,
    stderr: PathBuf,
}

fn quoted_errors() -> Vec<Quoted> {
    let mut found = Vec::new();
    for (chapter, text) in read_chapters() {
        let blocks = code_blocks(&text);
        for pair in blocks.windows(2) {
            let (code, output) = (&pair[0], &pair[1]);
            let Some(include) = includes_in(&output.body)
                .into_iter()
                .find(|include| include.path.ends_with(".stderr"))
            else {
                continue;
            };
            let place = format!("{}:{}", shown(&chapter), code.line);
            assert!(
                code.has_attribute("compile_fail") && includes_in(&code.body).is_empty(),
                "{place}: the block before {} should be the compile_fail code that causes it",
                include.path
            );
            let stderr = chapter
                .parent()
                .expect("chapters live in src/")
                .join(&include.path);
            found.push(Quoted {
                place,
                code: code
                    .body
                    .lines()
                    .map(|line| line.trim_start().strip_prefix("# ").unwrap_or(line))
                    .map(|line| format!("{line}\n"))
                    .collect(),
                stderr,
            });
        }
    }
    found
}

/// The first diagnostic rustc prints for `code` saved as `<name>.rs` in an empty folder:
/// everything up to the blank line that ends it, without colour and with the file's own name.
fn first_error(code: &str, name: &str, scratch: &Path) -> String {
    let source = scratch.join(format!("{name}.rs"));
    std::fs::write(&source, code).expect("temp file is writable");
    let rustc = Command::new("rustc")
        .current_dir(scratch)
        .args([
            "--edition",
            "2024",
            "--error-format=human",
            "--color=never",
            "--crate-type",
            "bin",
            "--emit",
            "metadata",
            "-o",
        ])
        .arg(format!("{name}.rmeta"))
        .arg(format!("{name}.rs"))
        .output()
        .expect("rustc runs");
    assert!(
        !rustc.status.success(),
        "{name}.rs compiles, but the chapter quotes an error for it"
    );
    let stderr = String::from_utf8_lossy(&rustc.stderr);
    let mut first = String::new();
    for line in stderr.lines() {
        if line.trim().is_empty() && !first.is_empty() {
            break;
        }
        first.push_str(&standard_library_path(line.trim_end()));
        first.push('\n');
    }
    first
}

/// rustc names the standard library's files under `/rustc/<commit>/library/`, a path that
/// changes with every release; the files show it as `$SRC_DIR/`, as rustc's own tests do.
fn standard_library_path(line: &str) -> String {
    let Some(start) = line.find("/rustc/") else {
        return line.to_string();
    };
    let Some(library) = line[start..].find("/library/") else {
        return line.to_string();
    };
    format!(
        "{}$SRC_DIR/{}",
        &line[..start],
        &line[start + library + "/library/".len()..]
    )
}

fn blessing(stem: &str) -> bool {
    std::env::var_os("BLESS").is_some_and(|v| v == "1")
        && std::env::var("BLESS_ONLY").map_or(true, |only| {
            only.split(',')
                .any(|name| name == "compile-errors" || name == stem)
        })
}

#[test]
fn quoted_compiler_errors_are_what_rustc_says() {
    let quoted = quoted_errors();
    assert!(
        !quoted.is_empty(),
        "no chapter quotes a compiler error from tests/compile-errors/: the scan is broken"
    );
    let scratch = std::env::temp_dir().join(format!("book-compile-errors-{}", std::process::id()));
    let mut problems = Vec::new();
    for Quoted {
        place,
        code,
        stderr,
    } in quoted
    {
        let stem = stderr
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a .stderr file has a name")
            .to_string();
        let folder = scratch.join(&stem);
        std::fs::create_dir_all(&folder).expect("temp dir is writable");
        let fresh = first_error(&code, &stem, &folder);
        if blessing(&stem) {
            std::fs::write(&stderr, &fresh).expect("the .stderr file is writable");
            continue;
        }
        let committed = std::fs::read_to_string(&stderr).unwrap_or_default();
        if committed != fresh {
            problems.push(format!(
                "{place}: {} is not what rustc says now (run `cargo xtask bless` or \
                 BLESS=1 on this test).\n--- committed\n{committed}--- rustc\n{fresh}",
                shown(&stderr)
            ));
        }
    }
    std::fs::remove_dir_all(&scratch).ok();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
