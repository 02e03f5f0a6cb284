//! The Mandelbrot listing on PoCL and lavapipe: every device's picture is
//! compared with the CPU's by the program (it fails beyond the tolerance), the
//! counts it prints are checked here, and the PNG is decoded and compared with
//! the CPU reference. Also: sizes that are not multiples of the 16 x 16
//! work-group, no device at all, and bad arguments.

use std::path::PathBuf;

use book_helpers::cli::{assert_help_mentions, assert_refused};
use gpu_reference::View;
use gpu_reference::testing::{self, Ran};

const BINARY: &str = env!("CARGO_BIN_EXE_ch24-mandelbrot");

const SETUP_HINT: &str = "run the tests through `cargo xtask test`, which installs PoCL \
     (pocl-opencl-icd) and lavapipe (mesa-vulkan-drivers)";

fn run(args: &[&str]) -> Ran {
    testing::run(BINARY, args)
}

fn run_with(args: &[&str], env: &[(&str, &str)]) -> Ran {
    testing::run_with(BINARY, args, env)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("ch24-mandelbrot-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// Each device's line, with the number of pixels that differ from the CPU's.
fn differing_pixels(stdout: &str, device: &str) -> usize {
    let line = stdout
        .lines()
        .find(|line| line.starts_with(&format!("{device} ")))
        .unwrap_or_else(|| {
            panic!("no line for {device}: {SETUP_HINT}\n{stdout}")
        });
    let (_, rest) = line.split_once("over the CPU; ").expect(line);
    rest.split_whitespace()
        .next()
        .expect(line)
        .parse()
        .expect(line)
}

fn decode(path: &std::path::Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(path).expect("the PNG exists"),
    ));
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut rgb = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut rgb).expect("one frame");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    rgb.truncate(info.buffer_size());
    (info.width, info.height, rgb)
}

#[test]
fn every_device_draws_the_cpus_picture_and_the_png_shows_it() {
    let dir = scratch("png");
    let output = run(&["--picture", dir.to_str().expect("utf-8 path")]);
    let stdout = output.stdout.clone();
    assert!(
        output.succeeded(),
        "{SETUP_HINT}\n{}",
        output.stderr.clone()
    );
    assert!(
        stdout.lines().nth(1).is_some_and(|line| line
            .starts_with("640 x 400 pixels, at most 256 iterations each")),
        "{stdout}"
    );
    let pixels = 640 * 400;
    for device in ["opencl", "wgsl", "glsl"] {
        let differ = differing_pixels(&stdout, device);
        assert!(differ * 100 <= pixels, "{device}: {differ} pixels differ");
    }
    // The same arithmetic from the same SPIR-V: WGSL and GLSL agree with each
    // other exactly or nearly; assert only that both are within the
    // tolerance (above).
    assert!(
        stdout.contains("picture written: mandelbrot.png"),
        "{stdout}"
    );

    let (width, height, rgb) = decode(&dir.join("mandelbrot.png"));
    assert_eq!((width, height), (640, 400));
    let view = View::whole_set(640, 400, 256);
    let cpu = gpu_reference::mandelbrot(&view);
    let same = rgb
        .chunks_exact(3)
        .zip(&cpu)
        .filter(|(pixel, i)| **pixel == gpu_reference::colour(**i, 256))
        .count();
    assert!(
        same * 100 >= pixels * 99,
        "only {same} of {pixels} pixels have the CPU's colour"
    );
    // The centre of the main cardioid (-0.2 + 0i) is inside the set: black.
    let col = ((-0.2 - view.x_min) / view.step) as usize;
    let row = (view.height / 2) as usize;
    let at = 3 * (row * 640 + col);
    assert_eq!(&rgb[at..at + 3], &[0, 0, 0]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn sizes_that_are_not_multiples_of_the_work_group() {
    for (width, height) in [(16, 16), (17, 31), (33, 16), (100, 47)] {
        let (w, h) = (width.to_string(), height.to_string());
        let output =
            run(&["--width", &w, "--height", &h, "--iterations", "100"]);
        let stdout = output.stdout.clone();
        assert!(
            output.succeeded(),
            "{width}x{height}: {}",
            output.stderr.clone()
        );
        for device in ["opencl", "wgsl", "glsl"] {
            let differ = differing_pixels(&stdout, device);
            assert!(differ * 100 <= width * height, "{device}: {differ}");
        }
        assert!(!stdout.contains("picture written"), "no folder, no picture");
    }
}

#[test]
fn a_machine_without_the_device_gets_a_clear_error() {
    // Point the loaders at nothing: the OpenCL ICD loader then finds no
    // platform, and the Vulkan loader no driver.
    let cases = [
        (
            "opencl",
            ("OCL_ICD_VENDORS", "/nonexistent"),
            "no OpenCL platform found",
        ),
        (
            "wgsl",
            ("VK_ICD_FILENAMES", "/nonexistent.json"),
            "no Vulkan adapter found",
        ),
    ];
    for (device, variable, message) in cases {
        let output = run_with(
            &["--device", device, "--width", "32", "--height", "32"],
            &[variable],
        );
        let stderr = output.stderr.clone();
        assert_eq!(output.code, Some(1), "{device}: {stderr}");
        assert!(stderr.contains(message), "{device}: {stderr}");
        assert!(!stderr.contains("panicked"), "{device}: {stderr}");
    }
}

#[test]
fn the_cpu_alone_needs_no_device() {
    let output = run_with(
        &["--device", "cpu", "--width", "32", "--height", "32"],
        &[
            ("OCL_ICD_VENDORS", "/nonexistent"),
            ("VK_ICD_FILENAMES", "/nonexistent.json"),
        ],
    );
    assert!(output.succeeded(), "{}", output.stderr.clone());
    // The machine, the picture's size, the CPU's line.
    let stdout = output.stdout.clone();
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert!(stdout.lines().nth(2).expect(&stdout).starts_with("cpu "));
}

#[test]
fn help_and_bad_arguments() {
    assert_help_mentions(
        BINARY,
        &[
            "--width",
            "--height",
            "--iterations",
            "--device",
            "--picture",
        ],
    );
    let bad: &[&[&str]] = &[
        &["--width", "0"],
        &["--height", "9000"],
        &["--iterations", "0"],
        &["--device", "cuda"],
        &["--what"],
    ];
    assert_refused(BINARY, bad);
}
