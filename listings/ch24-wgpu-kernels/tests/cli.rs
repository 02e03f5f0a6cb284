//! Runs the WGSL and GLSL kernels on lavapipe, picked by name, at sizes that
//! end inside, at and past a work-group boundary, and past the 65,535
//! work-groups one dimension of a dispatch holds; the program checks every
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

/// The lines that start with `start`.
fn count(stdout: &str, start: &str) -> usize {
    stdout.lines().filter(|l| l.starts_with(start)).count()
}

/// lavapipe offers subgroup operations, so WGSL's sum has a second line, the
/// one-pass kernel's; GLSL's has none (naga's GLSL front end knows no
/// subgroup functions). Every matrix product has two, tiled and
/// register-blocked.
fn tuned_lines(language: &str) -> usize {
    if language == "WGSL" { 2 } else { 1 }
}

fn assert_checked(output: &Ran, n: usize, languages: &[&str]) {
    let stdout = output.stdout.clone();
    assert!(output.succeeded(), "n = {n}: {}", output.stderr.clone());
    assert!(stdout.starts_with("wgpu adapter: llvmpipe"), "{stdout}");
    let total = gpu_reference::sum(&gpu_reference::reduce_input(n));
    let mut lines = 2;
    for language in languages {
        let saxpy = format!("{language} saxpy n = {n}: matches the CPU");
        assert_eq!(count(&stdout, &saxpy), 1, "{stdout}");
        let sum =
            format!("{language} sum n = {n}: {total}, equal to the CPU's; ");
        assert_eq!(count(&stdout, &format!("{sum}dispatch ")), 1, "{stdout}");
        let one_pass = usize::from(*language == "WGSL");
        assert_eq!(
            count(&stdout, &format!("{sum}one-pass subgroup dispatch ")),
            one_pass,
            "{stdout}"
        );
        let scan =
            format!("{language} scan n = {n}: every prefix equal to the CPU's");
        assert_eq!(count(&stdout, &scan), 1, "{stdout}");
        lines += 4 + tuned_lines(language);
    }
    // The adapter, the copy bandwidth, then saxpy, sum, scan and matmul per
    // language, each kernel that goes further on a line of its own, and last
    // the machine the times were taken on.
    assert_eq!(stdout.lines().count(), lines + 1, "{stdout}");
    testing::assert_copy_first_and_machine_last(&stdout);
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
        assert_eq!(count(&stdout, &matmul), 2, "{stdout}");
        for kernel in ["dispatch", "register-blocked dispatch"] {
            let timed = stdout
                .lines()
                .filter(|l| l.starts_with(&matmul))
                .filter(|l| l.contains(&format!("); {kernel} ")))
                .count();
            assert_eq!(timed, 1, "{kernel}: {stdout}");
        }
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
    // The tiled kernel's tiles are 16 a side, the register-blocked one's 64.
    for side in [1, 2, 15, 16, 17, 31, 33, 63, 64, 65, 100, 130] {
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
        // What the chapter says of naga 30: WGSL's `enable subgroups;` is
        // refused, and the GLSL front end knows no subgroup functions.
        (
            "enable.wgsl",
            "enable subgroups;\n@compute @workgroup_size(1) fn saxpy() {}\n",
            "the `subgroups` enable-extension is not yet supported",
        ),
        (
            "subgroup.comp",
            "#version 450\n#extension GL_KHR_shader_subgroup_arithmetic : enable\n\
             layout(local_size_x = 1) in;\nvoid main() { uint s = subgroupAdd(1u); }\n",
            "Unknown function 'subgroupAdd'",
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

/// With at most `limit` work-groups a dimension the 1-D kernels run on a grid
/// of rows: sizes that fill one row, end inside the second, fill it, and
/// need many rows with the last one mostly empty.
#[test]
fn a_grid_of_rows_of_work_groups_covers_every_element() {
    require_lavapipe();
    let limit = 3;
    for n in [1, 768, 769, 1536, 100_003] {
        let output = run(&[
            "--size",
            &n.to_string(),
            "--matrix",
            "33",
            "--workgroup-limit",
            &limit.to_string(),
            "--adapter",
            LAVAPIPE,
        ]);
        let stdout = output.stdout.clone();
        assert!(
            stdout.lines().nth(1).is_some_and(
                |l| l == "at most 3 work-groups a dimension per dispatch"
            ),
            "{stdout}{}",
            output.stderr.clone()
        );
        // The limit's line comes out of the count of the others.
        let rest: String = stdout
            .lines()
            .filter(|l| !l.starts_with("at most"))
            .fold(String::new(), |all, line| all + line + "\n");
        let without = Ran {
            stdout: rest,
            ..output
        };
        assert_checked(&without, n, &["WGSL", "GLSL"]);
    }
}

/// 16,776,961 elements: one more than 65,535 work-groups of 256 hold, so
/// the dispatch is a grid of two rows of work-groups (the second has one
/// group's worth of data), on lavapipe's own limit. SAXPY only: the other
/// problems take minutes at this size on a loaded CPU, and the grid of rows
/// is tested for all of them above with a lower limit.
#[test]
fn a_vector_past_one_dispatch_row_runs_on_two_rows() {
    require_lavapipe();
    let n = 65_535 * 256 + 1;
    let output = run(&[
        "--size",
        &n.to_string(),
        "--problem",
        "saxpy",
        "--adapter",
        LAVAPIPE,
    ]);
    let stdout = output.stdout.clone();
    assert!(output.succeeded(), "{}", output.stderr.clone());
    for language in ["WGSL", "GLSL"] {
        let saxpy = format!("{language} saxpy n = {n}: matches the CPU");
        assert_eq!(count(&stdout, &saxpy), 1, "{stdout}");
    }
    // The adapter, the copy, a line per language and the machine.
    assert_eq!(stdout.lines().count(), 5, "{stdout}");
}

#[test]
fn a_size_too_big_for_the_adapters_buffers_is_refused_before_any_work() {
    require_lavapipe();
    let output = run(&["--size", "4000000000", "--adapter", LAVAPIPE]);
    let stderr = output.stderr.clone();
    assert_eq!(output.code, Some(1), "{stderr}");
    assert!(stderr.contains("this adapter binds at most"), "{stderr}");
    // The matrix products' grids are square: a side past the limit's 16
    // elements a work-group is refused the same way.
    let output = run(&[
        "--matrix",
        "33",
        "--workgroup-limit",
        "2",
        "--adapter",
        LAVAPIPE,
    ]);
    let stderr = output.stderr.clone();
    assert_eq!(output.code, Some(1), "{stderr}");
    assert!(
        stderr.contains("--matrix 33 needs 3 x 3 work-groups"),
        "{stderr}"
    );
    assert_eq!(output.stdout.lines().count(), 2, "{}", output.stdout);
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
            "--workgroup-limit",
            "--problem",
        ],
    );
    let bad: &[&[&str]] = &[
        &["--size", "0"],
        &["--language", "hlsl"],
        &["--size", "-3"],
        &["--matrix", "0"],
        &["--workgroup-limit", "0"],
        &["--problem", "fft"],
        &["--what"],
    ];
    assert_refused(BINARY, bad);
}
