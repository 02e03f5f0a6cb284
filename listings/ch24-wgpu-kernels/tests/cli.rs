//! Runs the WGSL and GLSL kernels on lavapipe, picked by name, at sizes that
//! end inside, at and past a work-group boundary; the program checks every
//! result against the CPU reference and prints "matches"/"equal" only when it
//! holds. Also: the errors a reader can cause (no such adapter, a kernel that
//! does not compile, a size too big, bad arguments).

use book_helpers::cli::{assert_help_mentions, assert_refused};
use gpu_reference::testing::{self, Ran};

const BINARY: &str = env!("CARGO_BIN_EXE_ch24-wgpu-kernels");

const LAVAPIPE: &str = "llvmpipe";

fn run(args: &[&str]) -> Ran {
    testing::run(BINARY, args)
}

/// No lavapipe is a broken test set-up, not something to skip.
fn require_lavapipe() {
    let output = run(&["--list-devices"]);
    assert!(
        output.succeeded() && output.stdout.clone().contains(LAVAPIPE),
        "no lavapipe Vulkan adapter: run the tests through `cargo xtask test`, which installs \
         mesa-vulkan-drivers\n{}{}",
        output.stdout.clone(),
        output.stderr.clone()
    );
}

fn assert_checked(output: &Ran, n: usize, languages: &[&str]) {
    let stdout = output.stdout.clone();
    assert!(output.succeeded(), "n = {n}: {}", output.stderr.clone());
    assert!(stdout.starts_with("wgpu adapter: llvmpipe"), "{stdout}");
    let total = gpu_reference::sum(&gpu_reference::reduce_input(n));
    for language in languages {
        let saxpy = format!("{language} saxpy n = {n}: matches the CPU");
        assert_eq!(
            stdout.lines().filter(|l| l.starts_with(&saxpy)).count(),
            1,
            "{stdout}"
        );
        let sum =
            format!("{language} sum n = {n}: {total}, equal to the CPU's");
        assert_eq!(
            stdout.lines().filter(|l| l.starts_with(&sum)).count(),
            1,
            "{stdout}"
        );
        let scan =
            format!("{language} scan n = {n}: every prefix equal to the CPU's");
        assert_eq!(
            stdout.lines().filter(|l| l.starts_with(&scan)).count(),
            1,
            "{stdout}"
        );
    }
    // The adapter, the copy bandwidth, then saxpy, sum, scan and matmul per
    // language.
    assert_eq!(stdout.lines().count(), 2 + 4 * languages.len(), "{stdout}");
    assert!(
        stdout
            .lines()
            .nth(1)
            .expect(&stdout)
            .starts_with("device copy: "),
        "{stdout}"
    );
}

fn assert_matmul_checked(output: &Ran, side: usize) {
    let stdout = output.stdout.clone();
    assert!(
        output.succeeded(),
        "matrix {side}: {}",
        output.stderr.clone()
    );
    for language in ["WGSL", "GLSL"] {
        let matmul =
            format!("{language} matmul {side} x {side}: matches the CPU");
        assert_eq!(
            stdout.lines().filter(|l| l.starts_with(&matmul)).count(),
            1,
            "{stdout}"
        );
    }
}

#[test]
fn the_books_run_checks_both_languages() {
    require_lavapipe();
    let output = run(&["--size", "4000000", "--adapter", LAVAPIPE]);
    assert_checked(&output, 4_000_000, &["WGSL", "GLSL"]);
    assert_matmul_checked(&output, 256);
}

#[test]
fn every_matrix_side_around_a_tile_boundary_matches_the_cpu() {
    require_lavapipe();
    for side in [1, 2, 15, 16, 17, 31, 33, 64, 100] {
        let side_arg = side.to_string();
        let output = run(&[
            "--size",
            "300",
            "--matrix",
            &side_arg,
            "--adapter",
            LAVAPIPE,
        ]);
        assert_matmul_checked(&output, side);
    }
}

#[test]
fn every_size_around_a_work_group_boundary_matches_the_cpu() {
    require_lavapipe();
    for n in [
        1, 2, 255, 256, 257, 511, 512, 1000, 65_535, 65_536, 65_537, 100_003,
    ] {
        let output = run(&["--size", &n.to_string(), "--adapter", LAVAPIPE]);
        assert_checked(&output, n, &["WGSL", "GLSL"]);
    }
}

#[test]
fn one_language_at_a_time() {
    require_lavapipe();
    for (flag, name) in [("wgsl", "WGSL"), ("glsl", "GLSL")] {
        let output =
            run(&["--size", "3000", "--adapter", LAVAPIPE, "--language", flag]);
        assert_checked(&output, 3000, &[name]);
    }
}

#[test]
fn a_missing_adapter_is_named() {
    require_lavapipe();
    let output = run(&["--adapter", "no-such-gpu"]);
    let stderr = output.stderr.clone();
    assert_eq!(output.code, Some(1), "{stderr}");
    assert!(
        stderr.contains(r#"no adapter named like "no-such-gpu""#),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn kernels_that_do_not_compile_show_the_compilers_messages() {
    require_lavapipe();
    let dir = std::env::temp_dir()
        .join(format!("ch24-wgpu-broken-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let cases = [
        (
            "broken.wgsl",
            "@compute @workgroup_size(1) fn saxpy() { let a = b; }\n",
            "no definition in scope for identifier: `b`",
        ),
        (
            "broken.comp",
            "#version 450\nlayout(local_size_x = 1) in;\nvoid main() { float a = b; }\n",
            "Unknown variable: b",
        ),
    ];
    for (file, source, message) in cases {
        let path = dir.join(file);
        std::fs::write(&path, source).expect("write");
        let output = run(&[
            "--adapter",
            LAVAPIPE,
            "--kernel",
            path.to_str().expect("utf-8"),
        ]);
        let stderr = output.stderr.clone();
        assert_eq!(output.code, Some(1), "{file}: {stderr}");
        assert!(
            stderr.contains("kernel did not compile"),
            "{file}: {stderr}"
        );
        assert!(stderr.contains(message), "{file}: {stderr}");
        assert!(!stderr.contains("panicked"), "{file}: {stderr}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_size_too_big_for_one_dispatch_is_refused_before_any_work() {
    require_lavapipe();
    let output = run(&["--size", "4000000000", "--adapter", LAVAPIPE]);
    let stderr = output.stderr.clone();
    assert_eq!(output.code, Some(1), "{stderr}");
    assert!(
        stderr.contains("this adapter dispatches at most"),
        "{stderr}"
    );
}

#[test]
fn help_and_bad_arguments() {
    assert_help_mentions(
        BINARY,
        &[
            "--size",
            "--matrix",
            "--adapter",
            "--language",
            "--list-devices",
            "--kernel",
        ],
    );
    let bad: &[&[&str]] = &[
        &["--size", "0"],
        &["--language", "hlsl"],
        &["--size", "-3"],
        &["--matrix", "0"],
        &["--what"],
    ];
    assert_refused(BINARY, bad);
}
