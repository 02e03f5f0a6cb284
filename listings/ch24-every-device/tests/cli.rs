//! The one program for every device, run the way a reader runs it. The
//! difftests run every problem on every backend this machine has (the CPU,
//! OpenCL on PoCL, WGSL and GLSL on lavapipe) at sizes that end inside, at and
//! past a work-group or tile boundary; the program prints "matches"/"equal"
//! only after checking the result against the CPU reference, and the sum must
//! be the exact total. CUDA runs where an NVIDIA driver is present; elsewhere
//! the test checks the clear no-GPU error and says that CUDA was not exercised.
//! Also: --list-devices, the benchmark table, and the errors a reader can
//! cause.

use book_helpers::cli::{assert_help_mentions, assert_refused};
use gpu_reference::testing::{Ran, run, run_with};

const BINARY: &str = env!("CARGO_BIN_EXE_ch24-every-device");
const LAVAPIPE: &str = "llvmpipe";
const POCL: &str = "Portable Computing Language";

/// The CPU devices `cargo xtask setup` installs are part of the test set-up:
/// without them the test fails and says how to get them, never skips.
fn require_cpu_devices() -> Ran {
    let listed = run(BINARY, &["--list-devices"]);
    assert!(listed.succeeded(), "{}", listed.stderr);
    for (device, package) in
        [(POCL, "pocl-opencl-icd"), (LAVAPIPE, "mesa-vulkan-drivers")]
    {
        assert!(
            listed.stdout.contains(device),
            "no {device} device: run the tests through `cargo xtask test` (or `cargo xtask \
             setup`), which installs {package}\n{}",
            listed.stdout
        );
    }
    listed
}

/// What a correct run of `problem` at `size` prints after the device's name.
fn expected(problem: &str, size: usize) -> String {
    match problem {
        "saxpy" => format!("saxpy n = {size}: matches the CPU"),
        "sum" => {
            let total = gpu_reference::sum(&gpu_reference::reduce_input(size));
            format!("sum n = {size}: {total}, equal to the CPU's")
        }
        "scan" => format!("scan n = {size}: every prefix equal to the CPU's"),
        _ => format!("matmul {size} x {size}: matches the CPU"),
    }
}

fn run_one(device: &str, problem: &str, size: usize) -> Ran {
    let size_arg = size.to_string();
    let size_flag = if problem == "matmul" {
        "--matrix"
    } else {
        "--size"
    };
    let mut args = vec![
        "--device",
        device,
        "--problem",
        problem,
        size_flag,
        &size_arg,
    ];
    if matches!(device, "wgsl" | "glsl") {
        args.extend(["--adapter", LAVAPIPE]);
    }
    run(BINARY, &args)
}

/// The second, faster kernel a backend runs for a problem, by the label of
/// its line: the one-pass sum and the register-blocked product, in OpenCL,
/// WGSL and GLSL (and CUDA, not run here).
fn tuned_kernel(device: &str, problem: &str) -> Option<&'static str> {
    match (device, problem) {
        ("opencl" | "cuda", "sum") => Some("one-pass kernel"),
        ("opencl" | "cuda", "matmul") => Some("register-blocked kernel"),
        // lavapipe has subgroups; naga's GLSL front end has no subgroup
        // functions, so GLSL has no one-pass sum.
        ("wgsl", "sum") => Some("one-pass subgroup dispatch"),
        ("wgsl" | "glsl", "matmul") => Some("register-blocked dispatch"),
        _ => None,
    }
}

fn assert_checked(ran: &Ran, device: &str, problem: &str, size: usize) {
    assert!(
        ran.succeeded(),
        "{device} {problem} {size}: {}{}",
        ran.stdout,
        ran.stderr
    );
    let reference = if device == "cpu" {
        // The CPU is the reference: it says so instead of comparing with
        // itself.
        let label = if problem == "matmul" {
            format!("matmul {size} x {size}: the reference itself")
        } else {
            format!("{problem} n = {size}: the reference itself")
        };
        format!("{device} {label}")
    } else {
        format!("{device} {}", expected(problem, size))
    };
    // A sum or product with a second kernel has it on the line below.
    let tuned = tuned_kernel(device, problem);
    assert_eq!(
        ran.rows_starting_with(&reference).len(),
        1 + usize::from(tuned.is_some()),
        "{device} {problem} {size}:\n{}",
        ran.stdout
    );
    if let Some(kernel) = tuned {
        assert!(
            ran.stdout.contains(&format!("; {kernel} ")),
            "{}",
            ran.stdout
        );
    }
    // Where the device names its last-level cache, the working set against it.
    let working_set = ran
        .rows_starting_with(&format!("{device} working set: "))
        .len();
    if device == "cpu" || device == "opencl" {
        assert_eq!(working_set, 1, "{}", ran.stdout);
    }
    // The device's own line, its copy bandwidth, that working set, the
    // results and the machine they ran on: nothing else, no table.
    assert_eq!(
        ran.stdout.lines().count(),
        4 + working_set + usize::from(tuned.is_some()),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout
            .lines()
            .last()
            .expect("a line")
            .starts_with("machine: "),
        "{}",
        ran.stdout
    );
    assert!(
        ran.rows_starting_with(&format!("{device} device copy: "))
            .len()
            == 1,
        "{}",
        ran.stdout
    );
}

#[test]
fn every_problem_on_every_cpu_device_matches_the_reference() {
    require_cpu_devices();
    for device in ["cpu", "opencl", "wgsl", "glsl"] {
        for problem in ["saxpy", "sum", "scan"] {
            for size in [1, 255, 257, 100_003] {
                assert_checked(
                    &run_one(device, problem, size),
                    device,
                    problem,
                    size,
                );
            }
        }
        for side in [1, 15, 17, 64] {
            assert_checked(
                &run_one(device, "matmul", side),
                device,
                "matmul",
                side,
            );
        }
    }
}

#[test]
fn every_device_draws_the_cpus_mandelbrot() {
    require_cpu_devices();
    for device in ["cpu", "opencl", "wgsl", "glsl"] {
        let mut args = vec!["--device", device, "--problem", "mandelbrot"];
        if matches!(device, "wgsl" | "glsl") {
            args.extend(["--adapter", LAVAPIPE]);
        }
        let ran = run(BINARY, &args);
        assert!(ran.succeeded(), "{device}: {}", ran.stderr);
        let line =
            ran.rows_starting_with(&format!("{device} mandelbrot 640 x 400: "));
        assert_eq!(line.len(), 1, "{}", ran.stdout);
        // The program refuses a picture with more than 1% of pixels off; check
        // it here too.
        let differ: usize = line[0]
            .split(": ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|count| count.parse().ok())
            .expect(line[0]);
        assert!(differ * 100 <= 640 * 400, "{}", line[0]);
        if device == "cpu" {
            assert_eq!(differ, 0, "the reference is its own picture");
        }
    }
}

#[test]
fn cuda_runs_where_there_is_a_driver_and_says_what_is_missing_elsewhere() {
    let ran = run(BINARY, &["--device", "cuda", "--size", "100003"]);
    if ran.succeeded() {
        for problem in ["saxpy", "sum", "scan"] {
            let line = format!("cuda {}", expected(problem, 100_003));
            assert_eq!(
                ran.rows_starting_with(&line).len(),
                1,
                "{}",
                ran.stdout
            );
        }
        let matmul = format!("cuda {}", expected("matmul", 256));
        assert_eq!(ran.rows_starting_with(&matmul).len(), 1, "{}", ran.stdout);
    } else {
        assert_eq!(ran.code, Some(1), "{}", ran.stderr);
        assert!(
            ran.stderr.contains("no NVIDIA driver (libcuda.so)")
                || ran.stderr.contains("found no usable GPU"),
            "{}",
            ran.stderr
        );
        assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
        assert!(ran.stdout.is_empty(), "{}", ran.stdout);
        eprintln!(
            "not exercised here: running the CUDA kernels (no NVIDIA GPU); checked the error"
        );
    }
}

/// What `cargo xtask gpu-report` runs: real GPUs only. The CPU, PoCL and
/// lavapipe are left out, each with its reason; with no GPU left the run
/// fails and says so. Where a GPU is present its rows are checked as any
/// other device's.
#[test]
fn gpu_only_leaves_out_the_cpu_and_every_emulated_device() {
    let listed = require_cpu_devices();
    let ran = run(
        BINARY,
        &[
            "--gpu-only",
            "--size",
            "100003",
            "--matrix",
            "17",
            "--problem",
            "sum",
        ],
    );
    assert!(
        ran.stdout.contains(
            "cpu: not run: the CPU reference is left out by --gpu-only"
        ),
        "{}",
        ran.stdout
    );
    let only_pocl =
        !listed.stdout.contains("  1: ") && listed.stdout.contains(POCL);
    if only_pocl {
        assert!(
            ran.stdout.contains(
                "opencl: not run: none of the 1 OpenCL devices is a GPU"
            ),
            "{}",
            ran.stdout
        );
    }
    for language in ["wgsl", "glsl"] {
        let row = format!("{language}: not run: {LAVAPIPE}");
        let ran_on_a_gpu =
            ran.rows_starting_with(&format!("{language} sum")).len() == 1;
        assert!(
            ran_on_a_gpu || ran.stdout.contains(&row),
            "{language}: {}",
            ran.stdout
        );
    }
    for device in ["opencl", "wgsl", "glsl", "cuda"] {
        for row in ran.rows_starting_with(&format!("{device} sum")) {
            assert!(row.contains(&expected("sum", 100_003)), "{row}");
        }
    }
    if ran.stdout.contains("cuda: not run: no NVIDIA driver") && only_pocl {
        assert_eq!(ran.code, Some(1), "{}", ran.stderr);
        assert!(
            ran.stderr.contains("--gpu-only found no GPU"),
            "{}",
            ran.stderr
        );
        eprintln!(
            "not exercised here: --gpu-only on a GPU (none on this machine); checked what it leaves out"
        );
    }
}

#[test]
fn list_devices_names_every_backend() {
    let listed = require_cpu_devices();
    let stdout = &listed.stdout;
    for heading in [
        "cpu: ",
        "OpenCL (opencl):",
        "wgpu on Vulkan (wgsl, glsl):",
        "CUDA (cuda):",
    ] {
        assert_eq!(listed.rows_starting_with(heading).len(), 1, "{stdout}");
    }
    assert!(stdout.contains("driver"), "{stdout}");
    assert!(
        stdout.contains("no CUDA driver (libcuda.so) found")
            || stdout.contains("  0: "),
        "{stdout}"
    );
}

#[test]
fn the_books_run_checks_every_device_and_ends_in_the_benchmark_table() {
    require_cpu_devices();
    // The run the chapter shows (`output-args` in Cargo.toml).
    let n = 4_000_000;
    let ran = run(BINARY, &["--size", "4000000"]);
    assert!(ran.succeeded(), "{}", ran.stderr);
    for device in ["cpu", "opencl", "wgsl", "glsl"] {
        // A table row: the name padded by at least two spaces; a result line
        // has one.
        let prefix = if device == "cpu" {
            "cpu  ".to_string()
        } else {
            format!("{device} (emulated)  ")
        };
        let row = ran.rows_starting_with(&prefix);
        assert_eq!(row.len(), 1, "{}", ran.stdout);
        // Copy, three bandwidths each with its share of the copy, the FLOP rate
        // and the pixel rate.
        let numbers: Vec<f64> = row[0]
            .split_whitespace()
            .filter_map(|word| word.parse().ok())
            .collect();
        assert_eq!(numbers.len(), 6, "{}", row[0]);
        assert!(numbers.iter().all(|rate| *rate > 0.0), "{}", row[0]);
        assert_eq!(row[0].matches("%)").count(), 3, "{}", row[0]);
        assert_eq!(
            ran.rows_starting_with(&format!("{device} mandelbrot 640 x 400: "))
                .len(),
            1,
            "{}",
            ran.stdout
        );
        if device != "cpu" {
            for problem in ["saxpy", "sum", "scan"] {
                let line = format!("{device} {}", expected(problem, n));
                assert_eq!(
                    ran.rows_starting_with(&line).len(),
                    1 + usize::from(tuned_kernel(device, problem).is_some()),
                    "{}",
                    ran.stdout
                );
            }
        }
    }
    // CUDA either ran (a row of figures) or says it did not and why.
    let cuda = ran.rows_starting_with("cuda  ");
    assert_eq!(cuda.len(), 1, "{}", ran.stdout);
    if cuda[0].contains("not run") {
        assert_eq!(ran.rows_starting_with("cuda: not run: ").len(), 1);
    }
    assert_eq!(
        ran.rows_starting_with("backend ").len(),
        1,
        "{}",
        ran.stdout
    );
    // The machine the rows ran on, once, after the last device's rows and
    // before the table.
    let before_table = ran.stdout.split("\n\n").next().expect("rows");
    assert!(
        before_table
            .lines()
            .last()
            .expect("a row")
            .starts_with("machine: "),
        "{}",
        ran.stdout
    );
    assert_eq!(
        ran.rows_starting_with("machine: ").len(),
        1,
        "{}",
        ran.stdout
    );
}

#[test]
fn what_a_reader_can_get_wrong_is_named() {
    require_cpu_devices();
    let cases: [(&[&str], &str); 3] = [
        (
            &[
                "--device",
                "wgsl",
                "--adapter",
                LAVAPIPE,
                "--size",
                "4000000000",
            ],
            // Host memory or the adapter's largest buffer, whichever is
            // found short first.
            "--size 4000000000 needs",
        ),
        (
            &["--device", "opencl", "--opencl-device", "99"],
            "there is no OpenCL device 99",
        ),
        (
            &["--device", "glsl", "--adapter", "no-such-gpu"],
            r#"no adapter named like "no-such-gpu""#,
        ),
    ];
    for (args, message) in cases {
        let ran = run(BINARY, args);
        assert_eq!(ran.code, Some(1), "{args:?}: {}", ran.stderr);
        assert!(ran.stderr.contains(message), "{args:?}: {}", ran.stderr);
        assert!(!ran.stderr.contains("panicked"), "{args:?}: {}", ran.stderr);
    }
}

/// The binary on a machine without OpenCL and Vulkan drivers: both loaders are
/// pointed at a folder with no drivers in it.
fn without_drivers(args: &[&str]) -> Ran {
    let nowhere = std::env::temp_dir()
        .join(format!("ch24-no-drivers-{}", std::process::id()));
    std::fs::create_dir_all(&nowhere).expect("scratch folder");
    let folder = nowhere.to_string_lossy().into_owned();
    let none = nowhere.join("none.json").to_string_lossy().into_owned();
    let ran = run_with(
        BINARY,
        args,
        &[
            ("OCL_ICD_VENDORS", &folder),
            ("VK_DRIVER_FILES", &none),
            ("VK_ICD_FILENAMES", &none),
        ],
    );
    std::fs::remove_dir_all(&nowhere).ok();
    ran
}

#[test]
fn a_missing_backend_is_named_and_an_error_only_when_asked_for() {
    for (device, missing) in [
        ("opencl", "no OpenCL platform found"),
        ("wgsl", "no Vulkan adapter found"),
        ("glsl", "no Vulkan adapter found"),
    ] {
        let ran = without_drivers(&["--device", device, "--size", "1000"]);
        assert_eq!(ran.code, Some(1), "{device}: {}", ran.stderr);
        assert!(ran.stderr.contains(missing), "{device}: {}", ran.stderr);
        assert!(ran.stderr.contains("cargo xtask setup"), "{}", ran.stderr);
        assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
    }
    // Everything at once: the CPU still runs, every missing backend says why.
    let ran = without_drivers(&["--size", "1000", "--matrix", "16"]);
    assert!(ran.succeeded(), "{}", ran.stderr);
    for device in ["opencl", "wgsl", "glsl"] {
        assert_eq!(
            ran.rows_starting_with(&format!("{device}: not run: no "))
                .len(),
            1,
            "{}",
            ran.stdout
        );
    }
    assert_eq!(
        ran.rows_starting_with("cpu sum n = 1000: the reference itself")
            .len(),
        1,
        "{}",
        ran.stdout
    );
    let listed = without_drivers(&["--list-devices"]);
    assert!(listed.succeeded(), "{}", listed.stderr);
    assert_eq!(
        listed.rows_starting_with("  none: ").len(),
        2,
        "{}",
        listed.stdout
    );
}

#[test]
fn help_and_bad_arguments() {
    assert_help_mentions(
        BINARY,
        &[
            "--device",
            "--problem",
            "--size",
            "--matrix",
            "--list-devices",
            "--adapter",
            "--opencl-device",
            "--arch",
            "opencl",
            "wgsl",
            "glsl",
            "cuda",
            "mandelbrot",
        ],
    );
    let bad: &[&[&str]] = &[
        &["--device", "hlsl"],
        &["--problem", "fft"],
        &["--size", "0"],
        &["--size", "-3"],
        &["--matrix", "0"],
        &["--arch", "sm_90"],
        &["--what"],
    ];
    assert_refused(BINARY, bad);
}
