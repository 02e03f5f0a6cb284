//! NVRTC compiles every kernel on any machine; ptxas (from the nvidia-cuda-nvcc
//! wheel) checks the PTX assembles for the H100 (sm_90). Running them needs an
//! NVIDIA GPU: without one the program must say so and fail, which is what
//! these tests check on a machine without one.

use std::path::PathBuf;
use std::process::Command;

use book_helpers::cli::{assert_help_mentions, assert_refused};
use book_helpers::tools;
use gpu_reference::testing::{self, Ran};

const BINARY: &str = env!("CARGO_BIN_EXE_ch24-cuda-kernels");

const SETUP_HINT: &str = "run `cargo xtask setup` once: it installs NVRTC and \
     ptxas into the book's tool folder, where this listing finds them";

fn run(args: &[&str]) -> Ran {
    testing::run(BINARY, args)
}

/// NVRTC missing is a broken test set-up, not a pass: fail and say how to get
/// it.
fn require_nvrtc(output: &Ran) {
    let stderr = output.stderr.clone();
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
    assert!(output.succeeded(), "{}", output.stderr.clone());
    let stdout = output.stdout.clone();
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
        ("reduce_warp.ptx", &["reduce_warp"]),
        ("matmul_blocked.ptx", &["matmul_blocked"]),
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
    for file in ["reduce.ptx", "scan.ptx", "matmul.ptx", "matmul_blocked.ptx"] {
        let ptx = std::fs::read_to_string(dir.join(file)).expect("read");
        assert!(ptx.contains(".shared"), "{file}: shared memory");
        assert!(ptx.contains("bar.sync"), "{file}: __syncthreads");
    }
    // The one-pass sum: warp shuffles in registers, one atomic add a block.
    let warp =
        std::fs::read_to_string(dir.join("reduce_warp.ptx")).expect("read");
    assert!(warp.contains("shfl.sync.down"), "__shfl_down_sync");
    assert!(
        warp.contains("atom.global.add") || warp.contains("red.global.add")
    );
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
    assert!(output.succeeded(), "{}", output.stderr.clone());
    let ptxas =
        tools::program("ptxas", tools::PTXAS_BIN_DIR).unwrap_or_else(|| {
            panic!(
                "ptxas is neither on PATH nor in the tool folder: {SETUP_HINT}"
            )
        });
    let files = [
        "saxpy",
        "reduce",
        "scan",
        "matmul",
        "mandelbrot",
        "reduce_warp",
        "matmul_blocked",
    ]
    .map(|name| format!("{name}.ptx"));
    for file in &files {
        let mut command = Command::new(&ptxas);
        command
            .args(["-arch=sm_90", "-v"])
            .arg(dir.join(file))
            .arg("-o")
            .arg(dir.join(file.replace(".ptx", ".cubin")));
        let assembled = book_helpers::cli::run_command(command);
        let log = assembled.stderr.clone();
        assert!(assembled.succeeded(), "ptxas rejected {file}:\n{log}");
        // ptxas -v reports each kernel's registers and spills; no kernel this
        // small may spill to local memory, every one of them checked.
        let kernels = spills(&log);
        let ptx = std::fs::read_to_string(dir.join(file)).expect("read");
        assert_eq!(
            kernels.len(),
            ptx.matches(".visible .entry ").count(),
            "one report per kernel in {file}:\n{log}"
        );
        for (kernel, stores, loads) in kernels {
            assert_eq!(
                (stores, loads),
                (0, 0),
                "{file}: {kernel} spills:\n{log}"
            );
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// Each kernel `ptxas -v` compiled, with its spill stores and loads in bytes.
fn spills(log: &str) -> Vec<(String, u64, u64)> {
    let mut kernels = Vec::new();
    let mut current = None;
    for line in log.lines() {
        if let Some(rest) = line.split("Compiling entry function '").nth(1) {
            current = rest.split('\'').next().map(str::to_string);
        } else if line.contains("bytes spill stores")
            && let Some(kernel) = current.take()
        {
            let bytes_before = |what: &str| -> u64 {
                let before = line.split(what).next().unwrap_or_default();
                let number = before.trim_end().rsplit([' ', ',']).next();
                number.and_then(|n| n.parse().ok()).unwrap_or(u64::MAX)
            };
            kernels.push((
                kernel,
                bytes_before(" bytes spill stores"),
                bytes_before(" bytes spill loads"),
            ));
        }
    }
    kernels
}

/// Two kernels in one file, the second spilling: a check that looks for
/// "0 bytes spill stores" anywhere in the log passes it; this one must not.
#[test]
fn a_spill_in_any_one_kernel_is_found() {
    let log = "\
ptxas info    : 0 bytes gmem
ptxas info    : Compiling entry function 'scan_groups' for 'sm_90'
ptxas info    : Function properties for scan_groups
    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 16 registers, 1024 bytes smem, 380 bytes cmem[0]
ptxas info    : Compiling entry function 'add_offsets' for 'sm_90'
ptxas info    : Function properties for add_offsets
    8 bytes stack frame, 12 bytes spill stores, 4 bytes spill loads
ptxas info    : Used 255 registers, 372 bytes cmem[0]
";
    assert!(
        log.contains("0 bytes spill stores"),
        "what the old check saw"
    );
    assert_eq!(
        spills(log),
        vec![
            ("scan_groups".to_string(), 0, 0),
            ("add_offsets".to_string(), 12, 4)
        ]
    );
}

#[test]
fn without_a_gpu_it_names_what_is_missing_and_fails() {
    let output = run(&["--size", "1024"]);
    require_nvrtc(&output);
    let stderr = output.stderr.clone();
    if output.succeeded() {
        // On a machine with an NVIDIA GPU the kernels ran and were checked
        // against the CPU.
        let stdout = output.stdout.clone();
        assert!(stdout.contains("matches the CPU"), "{stdout}");
        assert!(stdout.contains("equal to the CPU's"), "{stdout}");
        assert!(stdout.contains("every prefix equal"), "{stdout}");
        assert!(
            stdout.contains("matmul 256 x 256: matches the CPU"),
            "{stdout}"
        );
        assert!(stdout.contains("mandelbrot 256000 pixels"), "{stdout}");
        // The reference row: cuBLAS checked and timed, or what installs it.
        assert!(
            (stdout.contains("cuBLAS SGEMM")
                && stdout.contains("share of cuBLAS's rate"))
                || stdout.contains(&format!("no cuBLAS row. {CUBLAS_MISSING}")),
            "{stdout}"
        );
    } else {
        assert_eq!(output.code, Some(1));
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
    assert!(output.succeeded(), "{}", output.stderr.clone());
    let stdout = output.stdout.clone();
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

/// What the listing says about cuBLAS on a machine where nothing provides it:
/// nothing on the loader's path, an empty tool folder.
const CUBLAS_MISSING: &str = "cuBLAS (libcublas.so.12) is neither on \
     LD_LIBRARY_PATH nor in the book's tool folder: `cargo xtask gpu-report` \
     installs it there from the nvidia-cublas-cu12 wheel (12.9.1.4, for CUDA \
     12.9), or put a CUDA 12 toolkit's lib64 on LD_LIBRARY_PATH";

#[test]
fn without_cublas_it_says_what_installs_it() {
    let tools = scratch("no-tools");
    let output = testing::run_with(
        BINARY,
        &["--list-devices"],
        &[
            ("BOOK_TOOLS_DIR", tools.to_str().expect("utf-8 path")),
            ("LD_LIBRARY_PATH", ""),
        ],
    );
    std::fs::remove_dir_all(&tools).ok();
    assert!(output.succeeded(), "{}", output.stderr.clone());
    let stdout = output.stdout.clone();
    if system_provides("libcublas.so.12") {
        assert!(
            stdout.contains("cuBLAS (the reference SGEMM): found"),
            "{stdout}"
        );
    } else {
        assert!(
            stdout.contains(&format!(
                "cuBLAS (the reference SGEMM): not found. {CUBLAS_MISSING}"
            )),
            "{stdout}"
        );
    }
}

/// Whether the system's own library folders hold `library`, as the dynamic
/// loader's cache lists them (`ldconfig -p`), asked apart from the listing.
fn system_provides(library: &str) -> bool {
    ["ldconfig", "/sbin/ldconfig"].iter().any(|ldconfig| {
        Command::new(ldconfig)
            .arg("-p")
            .output()
            .is_ok_and(|cache| {
                String::from_utf8_lossy(&cache.stdout).contains(library)
            })
    })
}

/// cuBLAS where `cargo xtask gpu-report` installs it is found without
/// exporting anything: the program puts that folder on the loader's path and
/// restarts, as it does for NVRTC. A stand-in that loads (NVRTC under
/// cuBLAS's name) plays the library.
#[test]
fn cublas_in_the_tool_folder_is_found() {
    let nvrtc = tools::folder()
        .map(|folder| folder.join(tools::NVRTC_LIB_DIR).join("libnvrtc.so.12"))
        .filter(|file| file.is_file())
        .unwrap_or_else(|| panic!("NVRTC is missing: {SETUP_HINT}"));
    let tool_folder = scratch("tools");
    let lib = tool_folder.join(tools::CUBLAS_LIB_DIR);
    std::fs::create_dir_all(&lib).expect("the library's folder");
    std::os::unix::fs::symlink(&nvrtc, lib.join("libcublas.so.12"))
        .expect("a stand-in for cuBLAS");
    let output = testing::run_with(
        BINARY,
        &["--list-devices"],
        &[
            ("BOOK_TOOLS_DIR", tool_folder.to_str().expect("utf-8 path")),
            ("LD_LIBRARY_PATH", ""),
        ],
    );
    std::fs::remove_dir_all(&tool_folder).ok();
    assert!(output.succeeded(), "{}", output.stderr.clone());
    let stdout = output.stdout.clone();
    assert!(
        stdout.contains("cuBLAS (the reference SGEMM): found"),
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
    let stderr = output.stderr.clone();
    assert_eq!(output.code, Some(1), "{stderr}");
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
