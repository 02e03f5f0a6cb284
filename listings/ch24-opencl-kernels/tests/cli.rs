//! Runs the listing on the machine's OpenCL device (PoCL where there is no GPU)
//! at sizes that end inside, at and past a work-group boundary; the program
//! checks every result against the CPU reference and prints "matches"/"equal"
//! only when it holds. Also: the errors a reader can cause (no such device, a
//! kernel that does not compile, a size too big, bad arguments).

use book_helpers::cli::{assert_help_mentions, assert_refused};
use gpu_reference::testing::{self, Ran};

const BINARY: &str = env!("CARGO_BIN_EXE_ch24-opencl-kernels");

fn run(args: &[&str]) -> Ran {
    testing::run(BINARY, args)
}

/// No OpenCL device is a broken test set-up, not something to skip.
fn require_opencl() {
    let output = run(&["--list-devices"]);
    assert!(
        output.succeeded(),
        "no OpenCL device: run the tests through `cargo xtask test`, which installs PoCL \
         (pocl-opencl-icd, ocl-icd-opencl-dev)\n{}",
        output.stderr.clone()
    );
}

fn assert_both_checked(output: &Ran, n: usize) {
    let stdout = output.stdout.clone();
    assert!(output.succeeded(), "n = {n}: {}", output.stderr.clone());
    assert!(stdout.starts_with("OpenCL device: "), "{stdout}");
    let saxpy = format!("saxpy n = {n}: matches the CPU");
    let sum = format!("sum n = {n}: ");
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with(&saxpy)).count(),
        1,
        "{stdout}"
    );
    let sum_line = stdout.lines().find(|l| l.starts_with(&sum)).expect(&stdout);
    assert!(sum_line.contains("equal to the CPU's"), "{sum_line}");
    let values = gpu_reference::reduce_input(n);
    assert!(
        sum_line.contains(&format!(": {}, ", gpu_reference::sum(&values))),
        "{sum_line}"
    );
    let scan = format!("scan n = {n}: every prefix equal to the CPU's");
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with(&scan)).count(),
        1,
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
    // The tiled kernel and the register-blocked one, each checked.
    let matmul = format!("matmul {side} x {side}: matches the CPU");
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with(&matmul)).count(),
        2,
        "{stdout}"
    );
    assert!(stdout.contains("; register-blocked kernel "), "{stdout}");
    assert!(stdout.contains("; one-pass kernel "), "{stdout}");
    assert_eq!(
        stdout.lines().count(),
        9,
        "device, copy, saxpy, sum twice, scan, matmul twice, machine:\n{stdout}"
    );
    testing::assert_copy_first_and_machine_last(&stdout);
}

#[test]
fn the_books_run_checks_both_kernels() {
    require_opencl();
    let output = run(&["--size", "4000000"]);
    assert_both_checked(&output, 4_000_000);
    assert_matmul_checked(&output, 256);
}

#[test]
fn every_size_around_a_work_group_boundary_matches_the_cpu() {
    require_opencl();
    for n in [
        1, 2, 255, 256, 257, 511, 512, 1000, 65_535, 65_536, 65_537, 100_003,
    ] {
        assert_both_checked(&run(&["--size", &n.to_string()]), n);
    }
}

#[test]
fn every_matrix_side_around_a_tile_boundary_matches_the_cpu() {
    require_opencl();
    for side in [1, 2, 15, 16, 17, 31, 33, 64, 100] {
        let output = run(&["--size", "300", "--matrix", &side.to_string()]);
        assert_matmul_checked(&output, side);
    }
}

#[test]
fn list_devices_names_platform_device_and_driver() {
    require_opencl();
    let stdout = run(&["--list-devices"]).stdout;
    let first = stdout.lines().next().expect("one device at least");
    assert!(first.starts_with("0: "), "{first}");
    assert!(first.contains(" / ") && first.contains("driver"), "{first}");
}

#[test]
fn a_missing_device_is_named() {
    require_opencl();
    let output = run(&["--device", "99"]);
    assert_eq!(output.code, Some(1));
    let stderr = output.stderr.clone();
    assert!(stderr.contains("there is no OpenCL device 99"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_kernel_that_does_not_compile_shows_the_compilers_log() {
    require_opencl();
    let path = std::env::temp_dir()
        .join(format!("ch24-broken-{}.cl", std::process::id()));
    std::fs::write(
        &path,
        "__kernel void broken(__global float *x) { x[0] = y; }\n",
    )
    .expect("write");
    let output = run(&["--kernel", path.to_str().expect("utf-8 path")]);
    std::fs::remove_file(&path).ok();
    let stderr = output.stderr.clone();
    assert_eq!(output.code, Some(1), "{stderr}");
    assert!(
        stderr.contains("the OpenCL compiler rejected the kernel"),
        "{stderr}"
    );
    assert!(stderr.contains("undeclared identifier 'y'"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_size_too_big_for_the_device_is_refused_before_any_work() {
    require_opencl();
    let output = run(&["--size", "1099511627776"]);
    let stderr = output.stderr.clone();
    assert_eq!(output.code, Some(1), "{stderr}");
    assert!(stderr.contains("allocates at most"), "{stderr}");
}

#[test]
fn help_and_bad_arguments() {
    assert_help_mentions(
        BINARY,
        &[
            "--size",
            "--matrix",
            "--device",
            "--list-devices",
            "--kernel",
        ],
    );
    let bad: &[&[&str]] = &[
        &["--size", "0"],
        &["--size", "lots"],
        &["--device", "-1"],
        &["--matrix", "0"],
        &["--what"],
    ];
    assert_refused(BINARY, bad);
}
