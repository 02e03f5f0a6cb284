//! The compiler really used the vector unit: build this crate's library in
//! release mode with `--emit asm` and read the instructions of each function.
//! On x86_64 the vectorised dot products must contain packed single-precision
//! multiplies and adds (`mulps`/`addps`, or their AVX forms `vmulps`/`vaddps`),
//! and the plain loop must add one scalar at a time (`addss`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Compiles the library to assembly in a target folder of its own (so it
/// never waits on, or disturbs, the build that runs the tests) and returns
/// the text of the `.s` file.
fn assembly() -> String {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target_dir = manifest_dir.join("../../target/ch23-simd-asm");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(manifest_dir)
        .args(["rustc", "--release", "--lib", "--quiet", "--target-dir"])
        .arg(&target_dir)
        .args(["--", "--emit", "asm", "-C", "codegen-units=1"])
        .output()
        .expect("cargo starts");
    assert!(
        output.status.success(),
        "cargo rustc --emit asm failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let deps = target_dir.join("release/deps");
    let newest: PathBuf = std::fs::read_dir(&deps)
        .expect("the deps folder exists")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("ch23_simd-") && name.ends_with(".s")
        })
        .max_by_key(|path| path.metadata().and_then(|m| m.modified()).ok())
        .expect("an assembly file was written");
    std::fs::read_to_string(newest).expect("the assembly is text")
}

/// The instructions of the function whose (mangled) name contains `name`:
/// from its label to the end of its body.
fn body<'a>(assembly: &'a str, name: &str) -> &'a str {
    let label = assembly
        .lines()
        .find(|line| {
            line.ends_with(':') && !line.starts_with('.') && line.contains(name)
        })
        .unwrap_or_else(|| panic!("no label for {name} in the assembly"));
    let start = assembly.find(label).expect("the label is in the text");
    let rest = &assembly[start..];
    let end = rest.find(".cfi_endproc").unwrap_or(rest.len());
    &rest[..end]
}

/// Instructions, whitespace-separated mnemonics at the start of a line.
fn mnemonics(body: &str) -> Vec<&str> {
    body.lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|word| !word.starts_with('.') && !word.ends_with(':'))
        .collect()
}

fn has_any(body: &str, wanted: &[&str]) -> bool {
    mnemonics(body).iter().any(|m| wanted.contains(m))
}

#[test]
fn vectorised_versions_use_packed_instructions_and_the_plain_loop_does_not() {
    if !cfg!(target_arch = "x86_64") {
        eprintln!(
            "NOT EXERCISED: the instruction names checked here are x86_64's; \
             this is {}",
            std::env::consts::ARCH
        );
        return;
    }
    let asm = assembly();
    let packed_add = ["addps", "vaddps"];
    let packed_mul = ["mulps", "vmulps", "vfmadd231ps", "vfmadd213ps"];
    for name in ["dot_chunked", "dot_wide"] {
        let body = body(&asm, name);
        assert!(
            has_any(body, &packed_add),
            "{name}: no packed add in\n{body}"
        );
        assert!(
            has_any(body, &packed_mul),
            "{name}: no packed multiply in\n{body}"
        );
    }
    let scalar = body(&asm, "dot_scalar");
    assert!(
        has_any(scalar, &["addss", "vaddss"]),
        "plain loop:\n{scalar}"
    );
    assert!(
        !has_any(scalar, &packed_add),
        "the plain loop was vectorised after all:\n{scalar}"
    );
}
