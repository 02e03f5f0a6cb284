//! NVRTC compiles every kernel on any machine; ptxas (from the nvidia-cuda-nvcc
//! wheel) checks the PTX assembles for the H100 (sm_90). Running them needs an
//! NVIDIA GPU: without one the program must say so and fail, which is what
//! these tests check on a machine without one.

use std::path::PathBuf;
use std::process::{Command, Output};

use book_helpers::cli::{assert_help_mentions, assert_refused};
use book_helpers::{finishes_within, tools};

const BINARY: &str = env!("CARGO_BIN_EXE_ch24-cuda-kernels");

/// Longer than any run here takes even on a loaded machine; a hung device or
/// driver then fails the test instead of stalling the whole test run.
const LIMIT: std::time::Duration = std::time::Duration::from_secs(300);
const SETUP_HINT: &str = "run `cargo xtask setup` once: it installs NVRTC and \
     ptxas into the book's tool folder, where this listing finds them";

fn run(args: &[&str]) -> Output {
    let mut command = Command::new(BINARY);
    command.args(args);
    finishes_within(LIMIT, move || {
        command.output().expect("the listing starts")
    })
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// NVRTC missing is a broken test set-up, not a pass: fail and say how to get
/// it.
fn require_nvrtc(output: &Output) {
    let stderr = text(&output.stderr);
    assert!(
        !stderr
            .contains("NVRTC (libnvrtc.so.12) is neither on LD_LIBRARY_PATH"),
        "NVRTC is missing: {SETUP_HINT}\n{stderr}"
    );
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("ch24-cuda-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

#[test]
fn nvrtc_compiles_both_kernels_with_their_entry_points() {
    let dir = scratch("ptx");
    let output = run(&[
        "--ptx-only",
        "--emit-ptx",
        dir.to_str().expect("utf-8 path"),
    ]);
    require_nvrtc(&output);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains(r#"entry points ["saxpy"]"#), "{stdout}");
    assert!(
        stdout.contains(r#"entry points ["reduce_sum"]"#),
        "{stdout}"
    );
    assert!(
        stdout.contains(r#"entry points ["scan_groups", "add_offsets"]"#),
        "{stdout}"
    );
    assert!(
        stdout.contains(r#"entry points ["matmul_tiled"]"#),
        "{stdout}"
    );
    let expected = [
        ("saxpy.ptx", &["saxpy"][..]),
        ("reduce.ptx", &["reduce_sum"]),
        ("scan.ptx", &["scan_groups", "add_offsets"]),
        ("matmul.ptx", &["matmul_tiled"]),
        ("mandelbrot.ptx", &["mandelbrot"]),
    ];
    for (file, entries) in expected {
        let ptx = std::fs::read_to_string(dir.join(file))
            .expect("the PTX was written");
        assert!(ptx.contains(".target sm_90"), "{file} targets the H100");
        for entry in entries {
            assert!(
                ptx.contains(&format!(".visible .entry {entry}(")),
                "{file}: {entry}"
            );
        }
    }
    // The reduction, the scan and the tiles live in shared memory, behind
    // barriers.
    for file in ["reduce.ptx", "scan.ptx", "matmul.ptx"] {
        let ptx = std::fs::read_to_string(dir.join(file)).expect("read");
        assert!(ptx.contains(".shared"), "{file}: shared memory");
        assert!(ptx.contains("bar.sync"), "{file}: __syncthreads");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn ptxas_assembles_the_ptx_for_sm_90() {
    let dir = scratch("ptxas");
    let output = run(&[
        "--ptx-only",
        "--emit-ptx",
        dir.to_str().expect("utf-8 path"),
    ]);
    require_nvrtc(&output);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let ptxas =
        tools::program("ptxas", tools::PTXAS_BIN_DIR).unwrap_or_else(|| {
            panic!(
                "ptxas is neither on PATH nor in the tool folder: {SETUP_HINT}"
            )
        });
    let files = ["saxpy", "reduce", "scan", "matmul", "mandelbrot"]
        .map(|name| format!("{name}.ptx"));
    for file in &files {
        let assembled = Command::new(&ptxas)
            .args(["-arch=sm_90", "-v"])
            .arg(dir.join(file))
            .arg("-o")
            .arg(dir.join(file.replace(".ptx", ".cubin")))
            .output()
            .unwrap_or_else(|error| {
                panic!("cannot run {}: {error}", ptxas.display())
            });
        let log = text(&assembled.stderr);
        assert!(assembled.status.success(), "ptxas rejected {file}:\n{log}");
        // ptxas -v reports each kernel's registers; no spills to local memory
        // in kernels this small.
        assert!(log.contains("registers"), "{log}");
        assert!(log.contains("0 bytes spill stores"), "{log}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn without_a_gpu_it_names_what_is_missing_and_fails() {
    let output = run(&["--size", "1024"]);
    require_nvrtc(&output);
    let stderr = text(&output.stderr);
    if output.status.success() {
        // On a machine with an NVIDIA GPU the kernels ran and were checked
        // against the CPU.
        let stdout = text(&output.stdout);
        assert!(stdout.contains("matches the CPU"), "{stdout}");
        assert!(stdout.contains("equal to the CPU's"), "{stdout}");
        assert!(stdout.contains("every prefix equal"), "{stdout}");
        assert!(
            stdout.contains("matmul 256 x 256: matches the CPU"),
            "{stdout}"
        );
        assert!(stdout.contains("mandelbrot 256000 pixels"), "{stdout}");
    } else {
        assert_eq!(output.status.code(), Some(1));
        assert!(
            stderr.contains("no NVIDIA driver")
                || stderr.contains("found no usable GPU"),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn list_devices_says_what_is_there_and_what_is_missing() {
    let output = run(&["--list-devices"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("NVRTC (compiles CUDA C to PTX): found"),
        "NVRTC: {SETUP_HINT}\n{stdout}"
    );
    assert!(
        stdout.contains("no CUDA driver (libcuda.so) found")
            || stdout.contains("0: "),
        "{stdout}"
    );
}

#[test]
fn a_kernel_that_does_not_compile_shows_nvrtcs_log() {
    let dir = scratch("broken");
    let broken = dir.join("broken.cu");
    std::fs::write(
        &broken,
        "extern \"C\" __global__ void broken(float *x) { x[0] = y; }\n",
    )
    .expect("write");
    let output = run(&["--kernel", broken.to_str().expect("utf-8 path")]);
    require_nvrtc(&output);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("NVRTC could not compile the kernel"),
        "{stderr}"
    );
    assert!(
        stderr.contains(r#"identifier "y" is undefined"#),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn help_and_bad_arguments() {
    assert_help_mentions(
        BINARY,
        &[
            "--size",
            "--ptx-only",
            "--arch",
            "--kernel",
            "--emit-ptx",
            "--list-devices",
        ],
    );
    let bad: &[&[&str]] = &[
        &["--size", "0"],
        &["--size", "lots"],
        &["--arch", "sm_1"],
        &["--what"],
    ];
    assert_refused(BINARY, bad);
}
