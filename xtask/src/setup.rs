//! Installing what the book needs: pinned cargo tools and pinned Python wheels into a tool
//! folder of the project, and Debian packages through apt-get. Every check is a file lookup
//! or one `dpkg-query`, so a machine that already has everything is ready in well under a second.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{describe, run_command};

/// A crate installed with `cargo install --locked`, pinned to one version.
#[derive(Debug)]
pub struct CargoTool {
    pub krate: &'static str,
    pub version: &'static str,
    pub features: &'static [&'static str],
    /// The binaries it provides; the first one proves the install is complete.
    pub binaries: &'static [&'static str],
}

/// The tools that build and serve the book.
pub const BOOK_TOOLS: &[CargoTool] = &[
    CargoTool {
        krate: "mdbook",
        version: "0.5.4",
        features: &[],
        binaries: &["mdbook"],
    },
    CargoTool {
        krate: "mdbook-mermaid",
        version: "0.17.1",
        features: &[],
        binaries: &["mdbook-mermaid"],
    },
    // The chapters' quizzes. 0.5.0 is the release that speaks mdBook 0.5's preprocessor
    // protocol; it copies its script into the built book, so a page loads nothing remote.
    CargoTool {
        krate: "mdbook-quiz",
        version: "0.5.0",
        features: &[],
        binaries: &["mdbook-quiz"],
    },
];

/// Tools that only the tests need: a real Kafka-protocol broker for the broker chapter,
/// built with in-memory storage (`dynostore`) so each test starts an empty one.
pub const TEST_TOOLS: &[CargoTool] = &[CargoTool {
    krate: "tansu",
    version: "0.6.0",
    features: &["dynostore"],
    binaries: &["tansu"],
}];

/// Mutation testing (`cargo xtask mutants`), installed the first time it is asked for:
/// not part of `cargo xtask test`.
pub const MUTATION_TOOL: CargoTool = CargoTool {
    krate: "cargo-mutants",
    version: "27.1.0",
    features: &[],
    binaries: &["cargo-mutants"],
};

/// A Debian package and the reason the tests need it.
#[derive(Debug)]
pub struct DebianPackage {
    pub name: &'static str,
    pub needed_for: &'static str,
}

/// Packages `cargo xtask test` needs.
pub const TEST_PACKAGES: &[DebianPackage] = &[
    DebianPackage {
        name: "chromium",
        needed_for: "the built site is tested in a headless browser",
    },
    DebianPackage {
        name: "chromium-driver",
        needed_for: "the browser tests drive Chromium over WebDriver",
    },
    DebianPackage {
        name: "poppler-utils",
        needed_for: "the PDF test reads the printed book with pdfinfo, pdftotext and pdftoppm",
    },
    DebianPackage {
        name: "pocl-opencl-icd",
        needed_for: "the OpenCL listings run their kernels on PoCL, an OpenCL device on the CPU",
    },
    DebianPackage {
        name: "ocl-icd-opencl-dev",
        needed_for: "the OpenCL listings link against libOpenCL (the ICD loader)",
    },
    DebianPackage {
        name: "clinfo",
        needed_for: "`clinfo -l` shows which OpenCL platforms the GPU chapter can use",
    },
    DebianPackage {
        name: "mesa-vulkan-drivers",
        needed_for: "the WGSL and GLSL listings run on lavapipe, a Vulkan device on the CPU",
    },
    DebianPackage {
        name: "libzmq3-dev",
        needed_for: "the ZeroMQ listings link against libzmq",
    },
    DebianPackage {
        name: "pkg-config",
        needed_for: "the zmq and mpi crates find their C libraries through pkg-config",
    },
    DebianPackage {
        name: "protobuf-compiler",
        needed_for: "the gRPC listings compile their .proto files with protoc",
    },
    DebianPackage {
        name: "libopenmpi-dev",
        needed_for: "the MPI listings link against Open MPI",
    },
    DebianPackage {
        name: "openmpi-bin",
        needed_for: "the MPI tests start their ranks with mpirun",
    },
    DebianPackage {
        name: "libclang-dev",
        needed_for: "the mpi crate generates its bindings with bindgen, which needs libclang",
    },
    DebianPackage {
        name: "openssh-server",
        needed_for: "the ssh fan-out test runs one sshd per simulated host",
    },
    DebianPackage {
        name: "openssh-client",
        needed_for: "the ssh fan-out listing and its test keys (ssh, ssh-keygen)",
    },
    DebianPackage {
        name: "nodejs",
        needed_for: "the shared-memory WebAssembly module is also checked under Node's worker_threads",
    },
    DebianPackage {
        name: "python3-pip",
        // `pip install --target` skips Debian's externally-managed check (PEP 668),
        // but Debian's python3 has no pip module without this package.
        needed_for: "the CUDA compiler libraries below come as Python wheels",
    },
];

/// Debian's wasm32 compiler, for the WebAssembly modules the pages load (xtask/src/wasm.rs),
/// where rustup's toolchain has no `rust-src`. `build` and `serve` install them too, when
/// they can, so that the first command on a new machine builds the whole book.
pub const WASM_PACKAGES: &[DebianPackage] = &[
    DebianPackage {
        name: "rustc-web",
        needed_for: "the pages' WebAssembly modules are built with Debian's wasm32 compiler (see the README)",
    },
    DebianPackage {
        name: "cargo-web",
        needed_for: "the cargo that drives the wasm32 build",
    },
    DebianPackage {
        name: "rust-web-src",
        needed_for: "the standard library sources the wasm32 build compiles (build-std)",
    },
    DebianPackage {
        name: "lld",
        needed_for: "wasm-ld links the WebAssembly modules",
    },
];

/// A Python wheel installed with `pip install --target` into the tool folder, pinned to one
/// version: the way NVIDIA ships NVRTC and ptxas without the whole CUDA toolkit.
#[derive(Debug)]
pub struct PipTool {
    pub package: &'static str,
    pub version: &'static str,
    /// A file inside the install (relative to its folder) that proves it is complete.
    pub proof: &'static str,
    /// A folder of programs to put on `PATH`, if any.
    pub bin_dir: Option<&'static str>,
    /// A folder of shared libraries to put on `LD_LIBRARY_PATH`, if any.
    pub lib_dir: Option<&'static str>,
    pub needed_for: &'static str,
}

/// Wheels the tests need.
pub const PIP_TOOLS: &[PipTool] = &[
    PipTool {
        package: "nvidia-cuda-nvrtc-cu12",
        version: "12.9.86",
        proof: "nvidia/cuda_nvrtc/lib/libnvrtc.so.12",
        bin_dir: None,
        lib_dir: Some("nvidia/cuda_nvrtc/lib"),
        needed_for: "NVRTC compiles the book's CUDA kernels to PTX, with or without a GPU",
    },
    PipTool {
        package: "nvidia-cuda-nvcc-cu12",
        version: "12.9.86",
        proof: "nvidia/cuda_nvcc/bin/ptxas",
        bin_dir: Some("nvidia/cuda_nvcc/bin"),
        lib_dir: None,
        needed_for: "ptxas checks that the PTX assembles for a real GPU (sm_90)",
    },
];

/// Wheels only a GPU uses, installed by `cargo xtask gpu-report` before it runs anything
/// and never by `setup` (CI and machines without a GPU do not download them). The
/// listings find them in the tool folder themselves, as they find NVRTC.
pub const GPU_REPORT_PIP_TOOLS: &[PipTool] = &[PipTool {
    package: "nvidia-cublas-cu12",
    // The cuBLAS of CUDA 12.9.1, the release NVRTC and ptxas 12.9.86 above come from.
    version: "12.9.1.4",
    proof: "nvidia/cublas/lib/libcublas.so.12",
    bin_dir: None,
    lib_dir: Some("nvidia/cublas/lib"),
    needed_for: "cuBLAS's SGEMM, the reference the CUDA matrix products are measured \
                 against; a large wheel, so only a GPU report installs it",
}];

/// The project's tool folder: one `name-version` folder per pinned tool, so a
/// version bump rebuilds exactly one tool and clones on one machine share them.
#[derive(Debug)]
pub struct Tools {
    dir: PathBuf,
}

impl Tools {
    pub fn new(dir: Option<PathBuf>) -> Result<Self> {
        let dir = match dir {
            Some(dir) => dir,
            None => default_tools_dir()?,
        };
        Ok(Self { dir })
    }

    fn root_of(&self, tool: &CargoTool) -> PathBuf {
        self.dir.join(format!("{}-{}", tool.krate, tool.version))
    }

    fn pip_root_of(&self, tool: &PipTool) -> PathBuf {
        self.dir.join(format!("{}-{}", tool.package, tool.version))
    }

    /// Folders to put first on `PATH` so mdbook finds its preprocessor and tests find mdbook
    /// (and ptxas).
    fn bin_dirs(&self) -> impl Iterator<Item = PathBuf> + '_ {
        let cargo_bins = BOOK_TOOLS
            .iter()
            .chain(TEST_TOOLS)
            .chain([&MUTATION_TOOL])
            .map(|tool| self.root_of(tool).join("bin"));
        let pip_bins = PIP_TOOLS
            .iter()
            .filter_map(|tool| tool.bin_dir.map(|bin| self.pip_root_of(tool).join(bin)));
        cargo_bins.chain(pip_bins)
    }

    /// `LD_LIBRARY_PATH` with the pinned wheels' libraries (NVRTC) first.
    pub fn ld_library_path_env(&self) -> Result<OsString> {
        let current = std::env::var_os("LD_LIBRARY_PATH").unwrap_or_default();
        let dirs = PIP_TOOLS
            .iter()
            .filter_map(|tool| tool.lib_dir.map(|lib| self.pip_root_of(tool).join(lib)))
            .chain(std::env::split_paths(&current))
            .collect::<Vec<_>>();
        std::env::join_paths(dirs).context("a tool folder path contains a ':'")
    }

    /// Sets what the tests and listings need to find the pinned tools: `PATH`,
    /// `LD_LIBRARY_PATH`, and `BOOK_TOOLS_DIR` for what a listing looks up in the tool
    /// folder itself (cuBLAS), so `--tools-dir` reaches it too.
    pub fn set_env(&self, command: &mut Command) -> Result<()> {
        command
            .env("PATH", self.path_env()?)
            .env("LD_LIBRARY_PATH", self.ld_library_path_env()?)
            .env("BOOK_TOOLS_DIR", std::path::absolute(&self.dir)?);
        Ok(())
    }

    fn ensure_pip_tools(&self) -> Result<()> {
        for tool in PIP_TOOLS {
            self.ensure_pip_tool(tool)?;
        }
        Ok(())
    }

    /// The wheels a GPU report needs beyond `setup`'s: installed on first use.
    pub fn ensure_gpu_report_tools(&self) -> Result<()> {
        for tool in GPU_REPORT_PIP_TOOLS {
            self.ensure_pip_tool(tool)?;
        }
        Ok(())
    }

    fn ensure_pip_tool(&self, tool: &PipTool) -> Result<()> {
        let root = self.pip_root_of(tool);
        if root.join(tool.proof).is_file() {
            return Ok(());
        }
        println!(
            "setup: installing the wheel {}=={} into {} ({}; once per machine)",
            tool.package,
            tool.version,
            root.display(),
            tool.needed_for
        );
        // A half-finished install would make pip refuse or mix versions: start clean.
        if root.exists() {
            std::fs::remove_dir_all(&root)
                .with_context(|| format!("cannot clear {}", root.display()))?;
        }
        let mut install = Command::new("python3");
        install
            .args(["-m", "pip", "install", "--quiet", "--no-deps"])
            .args([
                "--disable-pip-version-check",
                "--root-user-action=ignore",
                "--target",
            ])
            .arg(&root)
            .arg(format!("{}=={}", tool.package, tool.version));
        run_command(&mut install)?;
        if !root.join(tool.proof).is_file() {
            bail!(
                "{} finished but {} is missing",
                describe(&install),
                root.join(tool.proof).display()
            );
        }
        Ok(())
    }

    /// `PATH` with the pinned tools first.
    pub fn path_env(&self) -> Result<OsString> {
        let current = std::env::var_os("PATH").unwrap_or_default();
        let dirs = self
            .bin_dirs()
            .chain(std::env::split_paths(&current))
            .collect::<Vec<_>>();
        std::env::join_paths(dirs).context("a tool folder path contains a ':'")
    }

    /// A command for one of the pinned tools (or anything else), with `PATH` set up.
    pub fn command(&self, program: &str) -> Command {
        let located = self
            .bin_dirs()
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file());
        let mut command = Command::new(located.map_or_else(|| program.into(), OsString::from));
        if let Ok(path) = self.path_env() {
            command.env("PATH", path);
        }
        command
    }

    /// Everything the book and its tests need, in dependency order.
    pub fn ensure_all(&self) -> Result<()> {
        self.ensure_book_tools()?;
        ensure_debian_packages(TEST_PACKAGES)?;
        ensure_debian_packages(WASM_PACKAGES)?;
        // After the packages: python3-pip is one of them.
        self.ensure_pip_tools()?;
        self.ensure_test_tools()
    }

    fn ensure_test_tools(&self) -> Result<()> {
        for tool in TEST_TOOLS {
            self.ensure_cargo_tool(tool)?;
        }
        Ok(())
    }

    pub fn ensure_mutation_tool(&self) -> Result<()> {
        self.ensure_cargo_tool(&MUTATION_TOOL)
    }

    pub fn ensure_book_tools(&self) -> Result<()> {
        for tool in BOOK_TOOLS {
            self.ensure_cargo_tool(tool)?;
        }
        self.ensure_mermaid_script()
    }

    /// mermaid.js ships inside mdbook-mermaid; the book loads it from `theme/`. It is
    /// generated (git-ignored), so it always matches the pinned mdbook-mermaid.
    fn ensure_mermaid_script(&self) -> Result<()> {
        let tool = BOOK_TOOLS
            .iter()
            .find(|tool| tool.krate == "mdbook-mermaid")
            .context("mdbook-mermaid is one of the book tools")?;
        let assets = self.root_of(tool).join("assets");
        let shipped = assets.join("mermaid.min.js");
        if !shipped.is_file() {
            // `mdbook-mermaid install` writes its scripts next to a book.toml; give it a scratch one.
            std::fs::create_dir_all(&assets)?;
            std::fs::write(assets.join("book.toml"), "[book]\n")?;
            let mut install = self.command("mdbook-mermaid");
            install.arg("install").arg(&assets);
            let output = install
                .output()
                .with_context(|| format!("cannot run {}", describe(&install)))?;
            if !output.status.success() || !shipped.is_file() {
                bail!(
                    "{} did not produce mermaid.min.js:\n{}",
                    describe(&install),
                    String::from_utf8_lossy(&output.stderr)
                );
            }
        }
        let in_theme = Path::new("theme").join("mermaid.min.js");
        let same = std::fs::metadata(&in_theme)
            .and_then(|theme| Ok(theme.len() == std::fs::metadata(&shipped)?.len()))
            .unwrap_or(false);
        if !same {
            std::fs::copy(&shipped, &in_theme)
                .with_context(|| format!("cannot copy mermaid.js to {}", in_theme.display()))?;
        }
        Ok(())
    }

    fn ensure_cargo_tool(&self, tool: &CargoTool) -> Result<()> {
        let root = self.root_of(tool);
        if root.join("bin").join(tool.binaries[0]).is_file() {
            return Ok(());
        }
        println!(
            "setup: installing {}@{} into {} (once per machine; a few minutes)",
            tool.krate,
            tool.version,
            root.display()
        );
        let mut install = crate::cargo();
        install
            .args(["install", "--locked", "--root"])
            .arg(&root)
            .arg(format!("{}@{}", tool.krate, tool.version));
        if !tool.features.is_empty() {
            install.arg("--features").arg(tool.features.join(","));
        }
        run_command(&mut install)
    }
}

/// Debian's wasm32 compiler, installed when this user may (as root or through
/// passwordless sudo); otherwise an error with the command to run.
pub fn ensure_wasm_packages() -> Result<()> {
    ensure_debian_packages(WASM_PACKAGES)
}

fn default_tools_dir() -> Result<PathBuf> {
    book_helpers::tools::folder()
        .context("neither XDG_CACHE_HOME nor HOME is set; pass --tools-dir")
}

/// Installs missing Debian packages with apt-get (as root, or through passwordless sudo);
/// otherwise prints the exact command to run and fails.
fn ensure_debian_packages(packages: &[DebianPackage]) -> Result<()> {
    let missing = missing_packages(packages)?;
    if missing.is_empty() {
        return Ok(());
    }
    for package in &missing {
        println!(
            "setup: need Debian package {} ({})",
            package.name, package.needed_for
        );
    }
    let names: Vec<&str> = missing.iter().map(|package| package.name).collect();
    let prefix: &[&str] = if is_root() {
        &[]
    } else if has_passwordless_sudo() {
        &["sudo", "-n"]
    } else {
        bail!(
            "missing Debian packages and no root rights to install them; run:\n    \
             sudo apt-get update && sudo apt-get install -y {}\nthen run this command again",
            names.join(" ")
        );
    };
    let apt = |args: &[&str]| {
        let (program, rest) = match prefix.split_first() {
            Some((sudo, sudo_args)) => (*sudo, [sudo_args, &["apt-get"], args].concat()),
            None => ("apt-get", args.to_vec()),
        };
        let mut command = Command::new(program);
        command.args(rest).env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    println!("setup: installing {} with apt-get", names.join(" "));
    run_command(&mut apt(&["update", "-qq"]))?;
    let mut install = apt(&["install", "-y", "-qq", "--no-install-recommends"]);
    install.args(&names);
    run_command(&mut install)?;
    let still_missing = missing_packages(packages)?;
    if !still_missing.is_empty() {
        bail!(
            "apt-get finished but these packages are still not installed: {}",
            still_missing
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    Ok(())
}

fn missing_packages(packages: &[DebianPackage]) -> Result<Vec<&DebianPackage>> {
    if !Path::new("/usr/bin/dpkg-query").exists() {
        bail!(
            "this machine has no dpkg (not Debian or Ubuntu?); install the equivalents of: {}",
            packages
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    let mut query = Command::new("dpkg-query");
    query.args(["-W", "-f", "${Package} ${db:Status-Abbrev}\n"]);
    query.args(packages.iter().map(|package| package.name));
    // dpkg-query exits non-zero when a package is unknown; its stdout still lists the known ones.
    let output = query
        .output()
        .with_context(|| format!("cannot run {}", describe(&query)))?;
    let listing = String::from_utf8_lossy(&output.stdout);
    let installed: Vec<&str> = listing
        .lines()
        .filter_map(|line| line.split_once(' '))
        .filter(|(_, status)| status.starts_with("ii"))
        .map(|(name, _)| name.split(':').next().unwrap_or(name))
        .collect();
    Ok(packages
        .iter()
        .filter(|package| !installed.contains(&package.name))
        .collect())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn has_passwordless_sudo() -> bool {
    Command::new("sudo")
        .args(["-n", "true"])
        .output()
        .is_ok_and(|out| out.status.success())
}

#[cfg(test)]
mod tests {
    use super::{GPU_REPORT_PIP_TOOLS, PIP_TOOLS, TEST_TOOLS};
    use book_helpers::tools;

    /// The listings look for NVRTC, ptxas, cuBLAS and tansu where xtask installs them;
    /// a version bump here must move them too.
    #[test]
    fn listings_look_where_setup_installs() {
        let folders: Vec<String> = PIP_TOOLS
            .iter()
            .chain(GPU_REPORT_PIP_TOOLS)
            .map(|tool| {
                let inside = tool.bin_dir.or(tool.lib_dir).expect("a folder");
                format!("{}-{}/{inside}", tool.package, tool.version)
            })
            .collect();
        assert!(folders.iter().any(|dir| dir == tools::NVRTC_LIB_DIR));
        assert!(folders.iter().any(|dir| dir == tools::PTXAS_BIN_DIR));
        assert!(folders.iter().any(|dir| dir == tools::CUBLAS_LIB_DIR));
        let tansu = &TEST_TOOLS[0];
        assert_eq!(
            format!("{}-{}/bin", tansu.krate, tansu.version),
            tools::TANSU_BIN_DIR
        );
    }

    /// A listing that xtask runs looks in the tool folder xtask was given, wherever
    /// the listing runs from.
    #[test]
    fn listings_run_by_xtask_look_in_its_tool_folder() {
        let tools = super::Tools::new(Some("relative/tools".into())).expect("a folder");
        let mut command = std::process::Command::new("true");
        tools.set_env(&mut command).expect("the environment");
        let dir = command
            .get_envs()
            .find(|(name, _)| *name == "BOOK_TOOLS_DIR")
            .and_then(|(_, value)| value)
            .map(std::path::Path::new)
            .expect("BOOK_TOOLS_DIR is set");
        assert!(dir.is_absolute(), "{}", dir.display());
        assert!(dir.ends_with("relative/tools"), "{}", dir.display());
    }

    /// `setup` (and CI, which runs it) installs no wheel that only a GPU report needs.
    #[test]
    fn setup_leaves_the_gpu_report_wheels_out() {
        for tool in GPU_REPORT_PIP_TOOLS {
            assert!(
                !PIP_TOOLS.iter().any(|setup| setup.package == tool.package),
                "setup installs {}",
                tool.package
            );
        }
        assert!(
            GPU_REPORT_PIP_TOOLS
                .iter()
                .any(|tool| tool.package == "nvidia-cublas-cu12")
        );
    }
}
