//! `cargo xtask gpu-report`: the device listings run on a real NVIDIA GPU, each run
//! written to `output-gpu.txt` beside the listing's `output.txt`, headed by the GPU.
//!
//! xtask knows no listing by name. A listing that has something to show on a GPU says
//! how to run it there in its `Cargo.toml`:
//!
//! ```toml
//! [package.metadata.book]
//! gpu-report = { args = ["--device", "cuda", "--size", "67108864"] }
//! ```
//!
//! and this command builds and runs every listing that does, with those arguments,
//! under one time budget for all the runs together. Before the build it installs the
//! wheels that only a GPU uses (cuBLAS, `setup::GPU_REPORT_PIP_TOOLS`) into the tool
//! folder, once per machine. On a machine without an NVIDIA GPU it installs nothing,
//! measures nothing, says so and fails; it writes a note saying that no GPU was
//! measured where a listing has no `output-gpu.txt` yet (so the chapter's include has
//! a file to show), and never touches a file that holds a measurement.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::setup::Tools;
use crate::{cargo, describe, run_command};

/// The file each declaring listing gets, beside its `output.txt`.
pub const FILE_NAME: &str = "output-gpu.txt";

/// All the runs together, after the build: the report must fit in five minutes on one
/// GPU, and the build of a cold checkout is not the GPU's time.
const RUN_BUDGET: Duration = Duration::from_secs(240);

/// The first line of a file that holds no measurement, so the report can tell it
/// from one that does.
const NOT_MEASURED: &str = "No NVIDIA GPU was measured";

/// A listing that declares `gpu-report`: its name, folder, program and arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    pub name: String,
    pub dir: PathBuf,
    pub binary: String,
    pub args: Vec<String>,
}

impl Declared {
    /// The command line as the file shows it.
    fn command_line(&self) -> String {
        let mut line = format!("$ cargo run -p {}", self.name);
        if !self.args.is_empty() {
            line.push_str(" -- ");
            line.push_str(&self.args.join(" "));
        }
        line
    }

    fn file(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }
}

/// The GPU `nvidia-smi` names first: what heads every file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gpu {
    pub name: String,
    pub memory: String,
    pub driver: String,
}

impl Gpu {
    /// One line of `nvidia-smi --query-gpu=name,memory.total,driver_version
    /// --format=csv,noheader`: `NVIDIA H100 80GB HBM3, 81559 MiB, 550.54.15`.
    pub fn parse(line: &str) -> Option<Gpu> {
        let mut fields = line.split(',').map(str::trim);
        let name = fields.next().filter(|name| !name.is_empty())?;
        let memory = fields.next()?;
        let driver = fields.next()?;
        Some(Gpu {
            name: name.to_string(),
            memory: memory.to_string(),
            driver: driver.to_string(),
        })
    }

    fn heading(&self) -> String {
        format!(
            "GPU: {} ({}, driver {}), measured by `cargo xtask gpu-report`",
            self.name, self.memory, self.driver
        )
    }
}

/// The first NVIDIA GPU, or why there is none.
pub fn find_gpu() -> Result<Gpu, String> {
    let output = Command::new("nvidia-smi")
        .args([
            "--query-gpu=name,memory.total,driver_version",
            "--format=csv,noheader",
        ])
        .output()
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => "no nvidia-smi on PATH: no NVIDIA driver".to_string(),
            _ => format!("nvidia-smi cannot be started: {error}"),
        })?;
    if !output.status.success() {
        return Err(format!(
            "nvidia-smi failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(Gpu::parse)
        .ok_or_else(|| "nvidia-smi lists no GPU".to_string())
}

/// Every listing whose manifest declares `gpu-report`, by name.
pub fn declared(root: &Path) -> Result<Vec<Declared>> {
    let metadata = cargo_metadata::MetadataCommand::new()
        .current_dir(root)
        .no_deps()
        .exec()
        .context("cargo metadata failed")?;
    let mut found = Vec::new();
    for package in &metadata.packages {
        let report = &package.metadata["book"]["gpu-report"];
        if report.is_null() {
            continue;
        }
        let args = report["args"]
            .as_array()
            .with_context(|| {
                format!(
                    "{}: `gpu-report` must be a table with `args`, a list of strings",
                    package.name
                )
            })?
            .iter()
            .map(|arg| {
                arg.as_str().map(str::to_string).with_context(|| {
                    format!("{}: `gpu-report.args` holds a non-string", package.name)
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let binaries: Vec<&str> = package
            .targets
            .iter()
            .filter(|target| target.kind.iter().any(|kind| kind == "bin"))
            .map(|target| target.name.as_str())
            .collect();
        let binary = match binaries.as_slice() {
            [one] => one.to_string(),
            _ => bail!(
                "{}: `gpu-report` needs exactly one program to run; the package has {}",
                package.name,
                binaries.len()
            ),
        };
        let dir = package
            .manifest_path
            .parent()
            .context("a manifest has a folder")?
            .as_std_path()
            .to_path_buf();
        found.push(Declared {
            name: package.name.clone(),
            dir,
            binary,
            args,
        });
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

/// What a listing's file says when no GPU has been measured.
pub fn not_measured(listing: &Declared, why: &str) -> String {
    format!(
        "{NOT_MEASURED} for this listing: `cargo xtask gpu-report` ran on a machine\n\
         without one ({why}).\n\
         On a machine with an NVIDIA GPU and its driver, the same command replaces this file\n\
         with the GPU's name and the run\n\
         {}\n",
        listing.command_line()
    )
}

/// Whether a file holds a measurement (and so must not be overwritten by a note).
pub fn holds_measurement(text: &str) -> bool {
    !text.starts_with(NOT_MEASURED)
}

/// The command: run every declaring listing (or the ones named) on the GPU.
pub fn run(tools: &Tools, root: &Path, only: &[String]) -> Result<()> {
    let mut listings = declared(root)?;
    if let Some(unknown) = only
        .iter()
        .find(|name| !listings.iter().any(|listing| &listing.name == *name))
    {
        bail!(
            "{unknown} declares no `gpu-report` in its Cargo.toml; these do: {}",
            names(&listings)
        );
    }
    if !only.is_empty() {
        listings.retain(|listing| only.contains(&listing.name));
    }
    let gpu = match find_gpu() {
        Ok(gpu) => gpu,
        Err(why) => return without_gpu(&listings, &why),
    };
    println!("gpu-report: {} ({})", gpu.name, gpu.memory);
    // cuBLAS, the CUDA listing's reference, is too large for `setup`: the first report
    // on a machine installs it.
    tools.ensure_gpu_report_tools()?;
    let mut build = cargo();
    build.args(["build", "--locked"]);
    for listing in &listings {
        build.args(["-p", &listing.name]);
    }
    tools.set_env(&mut build)?;
    run_command(&mut build)?;
    let target = cargo_metadata::MetadataCommand::new()
        .current_dir(root)
        .no_deps()
        .exec()
        .context("cargo metadata failed")?
        .target_directory
        .into_std_path_buf();
    let deadline = Instant::now() + RUN_BUDGET;
    let mut failed = Vec::new();
    for listing in &listings {
        let mut program = Command::new(target.join("debug").join(&listing.binary));
        program.args(&listing.args).current_dir(root);
        tools.set_env(&mut program)?;
        println!("gpu-report: {}", listing.command_line());
        match run_within(&mut program, deadline) {
            Ok(stdout) => {
                let text = format!("{}\n{}\n{stdout}", gpu.heading(), listing.command_line());
                std::fs::write(listing.file(), text)
                    .with_context(|| format!("cannot write {}", listing.file().display()))?;
                println!("gpu-report: wrote {}", listing.file().display());
            }
            Err(error) => {
                println!("gpu-report: {} failed: {error}", listing.name);
                failed.push(listing.name.clone());
            }
        }
    }
    if !failed.is_empty() {
        bail!(
            "{} of {} listings did not run to the end on {} (their output-gpu.txt is unchanged): {}",
            failed.len(),
            listings.len(),
            gpu.name,
            failed.join(", ")
        );
    }
    Ok(())
}

/// No GPU: nothing is measured. A listing without a file gets the note, so the chapter
/// can include it; a file that holds a measurement stays.
fn without_gpu(listings: &[Declared], why: &str) -> Result<()> {
    let mut noted = Vec::new();
    for listing in listings {
        let file = listing.file();
        let keep = std::fs::read_to_string(&file).is_ok_and(|text| holds_measurement(&text));
        if !keep {
            std::fs::write(&file, not_measured(listing, why))
                .with_context(|| format!("cannot write {}", file.display()))?;
            noted.push(listing.name.as_str());
        }
    }
    bail!(
        "no NVIDIA GPU on this machine ({why}), so nothing was measured. {} \
         Run `cargo xtask gpu-report` where `nvidia-smi` lists a GPU; it runs {}.",
        if noted.is_empty() {
            "Every listing's output-gpu.txt is left as it was.".to_string()
        } else {
            format!(
                "output-gpu.txt of {} now says that no GPU was measured; files holding a \
                 measurement are left as they were.",
                noted.join(", ")
            )
        },
        names(listings)
    )
}

fn names(listings: &[Declared]) -> String {
    listings
        .iter()
        .map(|listing| listing.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs a program to its end before the deadline and returns its standard output;
/// a run past the deadline is killed, and a non-zero exit is an error with its
/// standard error.
fn run_within(program: &mut Command, deadline: Instant) -> Result<String> {
    let mut child = program
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", describe(program)))?;
    let mut stdout = child.stdout.take().context("stdout is piped")?;
    let mut stderr = child.stderr.take().context("stderr is piped")?;
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text)
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).map(|_| text)
    });
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            child.kill().ok();
            child.wait().ok();
            bail!(
                "still running when the report's {} s for all runs were spent; killed",
                RUN_BUDGET.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stdout = out
        .join()
        .map_err(|_| anyhow::anyhow!("the stdout reader panicked"))??;
    let stderr = err
        .join()
        .map_err(|_| anyhow::anyhow!("the stderr reader panicked"))??;
    if !status.success() {
        bail!("{status}: {}", stderr.trim());
    }
    Ok(stdout)
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::{Duration, Instant};

    use super::{Declared, FILE_NAME, Gpu, declared, holds_measurement, not_measured};

    #[test]
    fn reads_a_gpu_from_nvidia_smi() {
        assert_eq!(
            Gpu::parse("NVIDIA H100 80GB HBM3, 81559 MiB, 550.54.15"),
            Some(Gpu {
                name: "NVIDIA H100 80GB HBM3".into(),
                memory: "81559 MiB".into(),
                driver: "550.54.15".into(),
            })
        );
        assert_eq!(Gpu::parse(""), None);
        assert_eq!(Gpu::parse("No devices were found"), None);
    }

    #[test]
    fn a_note_is_told_from_a_measurement() {
        let listing = Declared {
            name: "ch99-example".into(),
            dir: "listings/ch99-example".into(),
            binary: "ch99-example".into(),
            args: vec!["--size".into(), "8".into()],
        };
        let note = not_measured(&listing, "nvidia-smi lists no GPU");
        assert!(!holds_measurement(&note), "{note}");
        assert!(
            note.contains("$ cargo run -p ch99-example -- --size 8"),
            "{note}"
        );
        assert!(holds_measurement(
            "GPU: NVIDIA H100 80GB HBM3 (81559 MiB, driver 1)\n"
        ));
    }

    /// Every listing that declares a GPU run has a file for the chapter to include,
    /// and the listings that run kernels are among them.
    #[test]
    fn every_declaring_listing_has_its_file() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let listings = declared(root).expect("the workspace's metadata reads");
        for name in ["ch24-every-device", "ch24-cuda-kernels"] {
            assert!(
                listings.iter().any(|listing| listing.name == name),
                "{name} declares no gpu-report"
            );
        }
        for listing in &listings {
            let file = listing.dir.join(FILE_NAME);
            assert!(file.is_file(), "{} is missing", file.display());
        }
    }

    #[test]
    fn a_run_past_the_deadline_is_killed() {
        let mut sleeper = std::process::Command::new("sleep");
        sleeper.arg("30");
        let started = Instant::now();
        let error = super::run_within(&mut sleeper, Instant::now() + Duration::from_millis(300))
            .expect_err("the run outlives its deadline");
        assert!(error.to_string().contains("killed"), "{error}");
        assert!(started.elapsed() < Duration::from_secs(10));
        let mut failing = std::process::Command::new("sh");
        failing.args(["-c", "echo why >&2; exit 3"]);
        let error = super::run_within(&mut failing, Instant::now() + Duration::from_secs(10))
            .expect_err("a failing run is an error");
        assert!(error.to_string().contains("why"), "{error}");
    }
}
