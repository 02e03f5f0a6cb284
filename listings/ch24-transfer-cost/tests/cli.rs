//! The transfer-cost table on PoCL: one row per size, every SAXPY checked
//! against the CPU by the program before it is timed (it fails otherwise),
//! every row complete. Also: no OpenCL device, and bad arguments. No timing is
//! asserted.

use book_helpers::cli::{assert_help_mentions, assert_refused};
use gpu_reference::testing::{self, Ran};

const BINARY: &str = env!("CARGO_BIN_EXE_ch24-transfer-cost");

fn run(args: &[&str], env: &[(&str, &str)]) -> Ran {
    testing::run_with(BINARY, args, env)
}

#[test]
fn one_checked_row_per_size() {
    for (max, sizes) in [
        ("1000", &["1000"][..]),
        ("64000", &["1000", "8000", "64000"]),
        ("100000", &["1000", "8000", "64000"]),
    ] {
        let output = run(&["--max-size", max, "--runs", "2"], &[]);
        let stdout = output.stdout.clone();
        assert!(
            output.succeeded(),
            "no OpenCL device? run the tests through `cargo xtask test`, which installs PoCL\n{}",
            output.stderr.clone()
        );
        let mut lines = stdout.lines();
        assert!(lines.next().expect(&stdout).starts_with("machine: "));
        assert!(lines.next().expect(&stdout).starts_with("OpenCL device: "));
        assert!(
            lines
                .next()
                .expect(&stdout)
                .starts_with("2 rounds per size"),
            "{stdout}"
        );
        let header = lines.next().expect(&stdout);
        for column in
            ["n", "copy in", "kernel", "copy out", "device", "CPU loop"]
        {
            assert!(header.contains(column), "{header}");
        }
        let rows: Vec<&str> = lines.collect();
        let firsts: Vec<&str> = rows
            .iter()
            .map(|row| row.split_whitespace().next().expect(row))
            .collect();
        assert_eq!(firsts, sizes, "{stdout}");
        for row in rows {
            // Four medians with their spread (value, unit, ±%), the
            // device's total (value and unit) and one ratio.
            assert_eq!(
                row.split_whitespace().count(),
                1 + 4 * 3 + 2 + 1,
                "{row}"
            );
            assert_eq!(row.matches('±').count(), 4, "{row}");
            assert!(row.ends_with('×'), "{row}");
        }
    }
}

#[test]
fn without_an_opencl_device_it_says_so() {
    let output = run(
        &["--max-size", "1000"],
        &[("OCL_ICD_VENDORS", "/nonexistent")],
    );
    let stderr = output.stderr.clone();
    assert_eq!(output.code, Some(1), "{stderr}");
    assert!(stderr.contains("no OpenCL platform found"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn help_and_bad_arguments() {
    assert_help_mentions(BINARY, &["--max-size", "--runs"]);
    let bad: &[&[&str]] = &[
        &["--max-size", "10"],
        &["--max-size", "100000000"],
        &["--runs", "0"],
        &["--what"],
    ];
    assert_refused(BINARY, bad);
}
