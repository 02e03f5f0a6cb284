//! Runs the listing on lavapipe (through wgpu) and on burn's CPU backend, at
//! sizes that end inside, at and past a 16 x 16 tile. The program checks every
//! row against the CPU and stops with an error when one is outside its bound,
//! so a row that is printed is a row that matched; the test checks that all of
//! them were printed, in order, within the bound. Also: a CUDA request in a
//! build without CUDA, and the refusals of bad arguments.

use book_helpers::cli::{Ran, assert_help_mentions, assert_refused, run};

const BINARY: &str = env!("CARGO_BIN_EXE_ch25-same-computation-two-ways");

const HAND_ROWS: [&str; 2] = [
    "a·b          by hand: matmul.wgsl",
    "relu(a·b+c)  by hand: matmul_bias_relu.wgsl",
];
const BURN_ROWS: [&str; 3] = [
    "a·b          burn: a.matmul(b)",
    "relu(a·b+c)  burn: one operation at a time",
    "relu(a·b+c)  burn: one expression",
];

/// The rows of the table, each within its bound (the last column, error /
/// bound, is <= 1).
fn assert_rows(ran: &Ran, expected: &[&str]) {
    assert!(ran.succeeded(), "{}{}", ran.stdout, ran.stderr);
    let rows: Vec<&str> = ran
        .stdout
        .lines()
        .filter(|line| line.starts_with("a·b") || line.starts_with("relu"))
        .collect();
    assert_eq!(rows.len(), expected.len(), "{}", ran.stdout);
    for (row, name) in rows.iter().zip(expected) {
        assert!(row.starts_with(name), "{row:?} is not {name:?}");
        let ratio: f64 = row
            .split_whitespace()
            .last()
            .and_then(|last| last.parse().ok())
            .unwrap_or_else(|| panic!("no error column in {row:?}"));
        assert!((0.0..=1.0).contains(&ratio), "{row}");
    }
}

/// No lavapipe is a broken set-up, not something to skip.
fn assert_on_lavapipe(ran: &Ran) {
    assert!(
        ran.stdout
            .lines()
            .nth(1)
            .is_some_and(|line| line.starts_with("device: wgpu on llvmpipe")),
        "no lavapipe Vulkan adapter: run the tests through `cargo xtask setup` / `cargo xtask test`, \
         which install mesa-vulkan-drivers\n{}{}",
        ran.stdout,
        ran.stderr
    );
}

#[test]
fn by_hand_and_burn_agree_with_the_cpu_on_lavapipe() {
    for size in ["1", "17", "64"] {
        let ran = run(
            BINARY,
            &["--device", "wgpu", "--size", size, "--repeat", "2"],
        );
        assert_on_lavapipe(&ran);
        let all: Vec<&str> =
            HAND_ROWS.iter().chain(&BURN_ROWS).copied().collect();
        assert_rows(&ran, &all);
    }
}

#[test]
fn burn_agrees_with_the_cpu_on_its_cpu_backend() {
    for size in ["1", "17", "64"] {
        let ran = run(
            BINARY,
            &["--device", "cpu", "--size", size, "--repeat", "2"],
        );
        let device = ran.stdout.lines().nth(1).unwrap_or_default();
        assert!(device.starts_with("device: flex"), "{}", ran.stdout);
        assert!(ran.stdout.contains("need a wgpu device"), "{}", ran.stdout);
        assert_rows(&ran, &BURN_ROWS);
    }
}

#[cfg(not(feature = "cuda"))]
#[test]
fn cuda_without_the_feature_says_how_to_build_it() {
    let ran = run(BINARY, &["--device", "cuda"]);
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    assert!(ran.stderr.contains("--features cuda"), "{}", ran.stderr);
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
}

#[test]
fn help_and_bad_arguments() {
    assert_help_mentions(
        BINARY,
        &["--device", "--size", "--repeat", "wgpu", "cpu", "cuda"],
    );
    assert_refused(
        BINARY,
        &[
            &["--device", "tpu"],
            &["--size", "0"],
            &["--size", "4096"],
            &["--repeat", "0"],
            &["--bogus"],
        ],
    );
}
