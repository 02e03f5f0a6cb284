//! Trains on lavapipe (through wgpu) and on burn's CPU backend, as the
//! chapter's run does, and checks what must hold on any machine: the loss falls
//! below the threshold, the trained model puts nearly every point on its
//! spiral, and the curve is written. Also: a CUDA request in a build without
//! CUDA, and the refusals of bad arguments.

use std::process::Command;
use std::time::Duration;

use book_helpers::cli::{
    Ran, assert_help_mentions, assert_refused, run_command, run_command_within,
};

const BINARY: &str = env!("CARGO_BIN_EXE_ch25-training-an-mlp");

/// The chapter's run ends far below this (the output shows where); a model that
/// has not learned the spirals stays near ln 2 = 0.69, the loss of a coin toss.
const LOSS_THRESHOLD: f32 = 0.1;
const ACCURACY_THRESHOLD: f32 = 95.0;

/// The final loss and accuracy from the last line of the run.
fn final_line(ran: &Ran) -> (f32, f32) {
    assert!(ran.succeeded(), "{}{}", ran.stdout, ran.stderr);
    let line = ran.rows_starting_with("final loss ");
    assert_eq!(line.len(), 1, "{}", ran.stdout);
    let words: Vec<&str> = line[0].split_whitespace().collect();
    let loss = words[2].trim_end_matches(';').parse().expect(line[0]);
    let accuracy = words[3].trim_end_matches('%').parse().expect(line[0]);
    (loss, accuracy)
}

/// The printed losses, in step order, fall from about ln 2 to below the
/// threshold.
fn assert_learned(ran: &Ran) {
    let (loss, accuracy) = final_line(ran);
    assert!(loss < LOSS_THRESHOLD, "final loss {loss}\n{}", ran.stdout);
    // A share of the points: at most all of them.
    assert!(
        (ACCURACY_THRESHOLD..=100.0).contains(&accuracy),
        "accuracy {accuracy}%\n{}",
        ran.stdout
    );
    let first: f32 = ran.rows_starting_with("step ")[0]
        .rsplit(' ')
        .next()
        .and_then(|loss| loss.parse().ok())
        .expect("a first step");
    assert!(first > 0.5, "the untrained model already knew: {first}");
    // Every step was timed: the first apart, the other 79 summarised.
    assert_eq!(
        ran.rows_starting_with("  step 1: ").len(),
        1,
        "{}",
        ran.stdout
    );
    assert_eq!(
        ran.rows_starting_with("  steps 2-80: ").len(),
        1,
        "{}",
        ran.stdout
    );
}

/// Training on lavapipe compiles and autotunes dozens of kernels in a debug
/// build, on a CPU that other builds may share: minutes, not seconds, so a
/// limit of its own. A hung device still fails the test instead of stalling the
/// suite.
const LAVAPIPE_LIMIT: Duration = Duration::from_secs(900);

#[test]
fn learns_the_spirals_on_lavapipe() {
    let mut command = Command::new(BINARY);
    command
        .args(["--device", "wgpu"])
        .env_remove("BOOK_OUTPUT_DIR");
    let ran = run_command_within(LAVAPIPE_LIMIT, command);
    assert!(
        ran.stdout.contains("\ndevice: wgpu on llvmpipe"),
        "no lavapipe Vulkan adapter: run the tests through `cargo xtask setup` / `cargo xtask test`, \
         which install mesa-vulkan-drivers\n{}{}",
        ran.stdout,
        ran.stderr
    );
    assert_learned(&ran);
}

#[test]
fn learns_the_spirals_on_the_cpu_and_writes_the_curve() {
    let dir = std::env::temp_dir()
        .join(format!("ch25-training-{}", std::process::id()));
    let mut command = Command::new(BINARY);
    command
        .args(["--device", "cpu"])
        .env("BOOK_OUTPUT_DIR", &dir);
    let ran = run_command(command);
    assert_learned(&ran);
    let csv = std::fs::read_to_string(dir.join("loss.csv"))
        .expect("loss.csv written");
    // A header and one line per step, steps numbered from 1.
    assert_eq!(csv.lines().count(), 1 + 80, "{csv}");
    assert!(csv.lines().nth(1).expect(&csv).starts_with("1,"));
    let svg = std::fs::read_to_string(dir.join("loss.svg"))
        .expect("loss.svg written");
    assert!(svg.starts_with("<svg") && svg.contains("polyline"), "{svg}");
    std::fs::remove_dir_all(&dir).expect("scratch folder removed");
}

#[cfg(not(feature = "cuda"))]
#[test]
fn cuda_without_the_feature_says_how_to_build_it() {
    let ran = book_helpers::cli::run(BINARY, &["--device", "cuda"]);
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    assert!(ran.stderr.contains("--features cuda"), "{}", ran.stderr);
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
}

#[test]
fn help_and_bad_arguments() {
    assert_help_mentions(
        BINARY,
        &["--device", "--steps", "--points", "--width"],
    );
    assert_refused(
        BINARY,
        &[
            &["--device", "tpu"],
            &["--steps", "0"],
            &["--points", "1"],
            &["--width", "0"],
            &["--bogus"],
        ],
    );
}
