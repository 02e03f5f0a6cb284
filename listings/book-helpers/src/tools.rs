//! The book's tool folder: where `cargo xtask setup` installs the pinned tools
//! that are not Debian packages (NVRTC and ptxas from NVIDIA's wheels, the
//! Kafka-protocol broker; cuBLAS, which `cargo xtask gpu-report` adds), one
//! `name-version` folder each. A listing that needs one looks on `PATH` first
//! and then here, so `cargo run -p` and `cargo test -p` work once setup has
//! run, without exporting anything.

use std::ffi::OsString;
use std::path::PathBuf;

/// NVRTC's shared libraries, inside the tool folder.
pub const NVRTC_LIB_DIR: &str =
    "nvidia-cuda-nvrtc-cu12-12.9.86/nvidia/cuda_nvrtc/lib";
/// cuBLAS's shared libraries, inside the tool folder. Not installed by
/// `cargo xtask setup` (the wheel is large and only a GPU uses it):
/// `cargo xtask gpu-report` installs it before its first run.
pub const CUBLAS_LIB_DIR: &str =
    "nvidia-cublas-cu12-12.9.1.4/nvidia/cublas/lib";
/// `ptxas`, inside the tool folder.
pub const PTXAS_BIN_DIR: &str =
    "nvidia-cuda-nvcc-cu12-12.9.86/nvidia/cuda_nvcc/bin";
/// `tansu`, inside the tool folder.
pub const TANSU_BIN_DIR: &str = "tansu-0.6.0/bin";

/// The tool folder: `$BOOK_TOOLS_DIR` if set, else
/// `$XDG_CACHE_HOME/concurrency-is-structure`, else
/// `~/.cache/concurrency-is-structure`; `None` when none of those variables
/// is set.
pub fn folder() -> Option<PathBuf> {
    folder_from(
        std::env::var_os("BOOK_TOOLS_DIR"),
        std::env::var_os("XDG_CACHE_HOME"),
        std::env::home_dir(),
    )
}

/// [`folder`] given the two variables and the home folder.
fn folder_from(
    tools: Option<OsString>,
    xdg_cache: Option<OsString>,
    home: Option<PathBuf>,
) -> Option<PathBuf> {
    if let Some(dir) = tools {
        return Some(PathBuf::from(dir));
    }
    // The XDG spec: an empty XDG_CACHE_HOME counts as unset.
    let cache = xdg_cache
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| home.map(|home| home.join(".cache")))?;
    Some(cache.join("concurrency-is-structure"))
}

/// A program found on `PATH`, else in `dir` inside the tool folder.
pub fn program(name: &str, dir: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(folder().map(|tools| tools.join(dir)))
        .map(|folder| folder.join(name))
        .find(|candidate| candidate.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tool_folder_is_the_variable_else_the_cache_else_home() {
        let path = |text: &str| Some(PathBuf::from(text));
        let os = |text: &str| Some(OsString::from(text));
        let home = path("/home/reader");
        assert_eq!(
            folder_from(os("/opt/tools"), os("/xdg"), home.clone()),
            path("/opt/tools")
        );
        assert_eq!(
            folder_from(None, os("/xdg"), home.clone()),
            path("/xdg/concurrency-is-structure")
        );
        let in_home = path("/home/reader/.cache/concurrency-is-structure");
        assert_eq!(folder_from(None, os(""), home.clone()), in_home);
        assert_eq!(folder_from(None, None, home), in_home);
        assert_eq!(folder_from(None, None, None), None);
        assert_eq!(
            folder(),
            folder_from(
                std::env::var_os("BOOK_TOOLS_DIR"),
                std::env::var_os("XDG_CACHE_HOME"),
                std::env::home_dir(),
            )
        );
        assert!(folder().is_some(), "a test runs with HOME set");
    }

    #[test]
    fn finds_a_program_on_path_before_the_tool_folder() {
        let sh = program("sh", PTXAS_BIN_DIR).expect("sh is on PATH");
        assert!(sh.ends_with("sh"), "{}", sh.display());
        assert_eq!(program("no-such-program-here", PTXAS_BIN_DIR), None);
    }
}
