//! What chapter 30's MPI programs share: how a program finds out whether
//! `mpirun` started it, and how it starts itself under `mpirun` when a reader
//! typed a plain `cargo run`.
//!
//! An MPI program is one binary started N times by a launcher; the launcher
//! tells each copy its rank and how to reach the others. The chapter's
//! listings play both parts: started by hand, they run `mpirun` on their own
//! executable; started by `mpirun`, they are one rank among N.

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Variables a launcher puts in the environment of every rank it starts:
/// Open MPI's `mpirun`, any PMIx launcher (PRRTE's `prterun`, `srun
/// --mpi=pmix`), a PMI-1/2 launcher such as MPICH's Hydra, and Slurm's `srun`
/// itself.
const RANK_VARIABLES: [&str; 4] = [
    "OMPI_COMM_WORLD_SIZE",
    "PMIX_RANK",
    "PMI_RANK",
    "SLURM_PROCID",
];

/// True when this process is one rank of a job a launcher started, so it must
/// not start `mpirun` itself: under `srun` that would start a second job
/// inside the first.
pub fn under_mpirun() -> bool {
    is_rank_environment(|name| std::env::var_os(name).is_some())
}

/// [`under_mpirun`] over any environment: `is_set` says whether a variable is.
pub fn is_rank_environment(is_set: impl Fn(&str) -> bool) -> bool {
    RANK_VARIABLES.iter().any(|name| is_set(name))
}

/// What a rank does while it waits for a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waiting {
    /// Spin on the shared-memory queues: the fastest reply when every rank
    /// has a core to itself, and a disaster when ranks share cores.
    Poll,
    /// Spin, but give the core away (`sched_yield`) at every turn.
    Yield,
}

impl Waiting {
    pub fn name(self) -> &'static str {
        match self {
            Waiting::Poll => "poll",
            Waiting::Yield => "yield",
        }
    }
}

// ANCHOR: mpirun
/// `mpirun -n <ranks> <program> <args>` with the settings this book's machines
/// need. Each one is an answer to a refusal or a trap:
///
/// - root may start ranks only if it says so twice (the two variables; the
///   `--allow-run-as-root` flag is the same thing spelt as an option),
/// - `--oversubscribe`: more ranks than cores is allowed (slow, but correct),
/// - `--bind-to none`: with several ranks per core, pinning each rank to one
///   core would stack them on the same cores while others idle,
/// - `btl self,vader`: ranks on one host talk through shared memory (`vader`)
///   or to themselves (`self`), never through a network card; neither opens a
///   socket, so there is no TCP BTL to keep on loopback,
/// - `oob_tcp_if_include lo`: the launcher's own out-of-band messages (to
///   its daemons) use loopback addresses only, whatever other interfaces
///   this machine has,
/// - `mpi_yield_when_idle`: how a waiting rank waits (see [`Waiting`]).
pub fn mpirun(
    ranks: usize,
    waiting: Waiting,
    program: impl Into<OsString>,
    args: &[String],
) -> Command {
    let yield_when_idle = if waiting == Waiting::Yield { "1" } else { "0" };
    let mut command = launcher(ranks);
    command
        .args(["--oversubscribe", "--bind-to", "none"])
        .args(["--mca", "btl", "self,vader"])
        .args(["--mca", "oob_tcp_if_include", "lo"])
        .args(["--mca", "mpi_yield_when_idle", yield_when_idle])
        .arg(program.into())
        .args(args);
    command
}

/// `mpirun -n <ranks>`, allowed to run as root.
fn launcher(ranks: usize) -> Command {
    let mut command = Command::new("mpirun");
    command
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .args(["-n", &ranks.to_string()]);
    command
}
// ANCHOR_END: mpirun

// ANCHOR: mpirun_on_hosts
/// `mpirun` across several hosts. The host file names them and their slots
/// (`10.1.2.11 slots=16`); Open MPI starts its helper on each host with
/// `rsh_agent` (an `ssh` command line with whatever options reach the hosts),
/// and ranks on different hosts talk TCP, on the `network` given (such as
/// `10.1.2.0/24`) and no other.
pub fn mpirun_on_hosts(
    ranks: usize,
    hostfile: &Path,
    rsh_agent: &str,
    network: &str,
    program: impl Into<OsString>,
    args: &[String],
) -> Command {
    let mut command = launcher(ranks);
    command
        .arg("--hostfile")
        .arg(hostfile)
        .args(["--bind-to", "none"])
        .args(["--mca", "plm_rsh_agent", rsh_agent])
        .args(["--mca", "btl", "self,vader,tcp"])
        .args(["--mca", "btl_tcp_if_include", network])
        .args(["--mca", "oob_tcp_if_include", network])
        .arg(program.into())
        .args(args);
    command
}
// ANCHOR_END: mpirun_on_hosts

/// Open MPI 4.1 makes and removes its session folder (`/tmp/ompi.HOST.UID`)
/// without a lock, so two jobs starting at the same moment on one machine
/// can fail in `orte_init` ("mkdir … File exists"). Tests, which run in
/// parallel, hold this while a job runs: one job at a time in a process.
pub fn one_job_at_a_time() -> MutexGuard<'static, ()> {
    static ONE_JOB: Mutex<()> = Mutex::new(());
    ONE_JOB.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Why a run under `mpirun` did not give a result.
#[derive(Debug)]
pub enum LaunchError {
    /// No `mpirun` on `PATH`.
    NoLauncher,
    /// The program's own path could not be found.
    NoExecutable(io::Error),
    /// `mpirun` could not be started for another reason.
    Start(io::Error),
    /// The job ran and failed; what it printed on stderr.
    Failed { ranks: usize, stderr: String },
}

impl fmt::Display for LaunchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LaunchError::NoLauncher => write!(
                f,
                "`mpirun` was not found on PATH: install Open MPI \
                 (Debian: openmpi-bin libopenmpi-dev), or run `cargo xtask setup`"
            ),
            LaunchError::NoExecutable(error) => {
                write!(f, "cannot find this program's executable: {error}")
            }
            LaunchError::Start(error) => {
                write!(f, "cannot start mpirun: {error}")
            }
            LaunchError::Failed { ranks, stderr } => {
                write!(f, "the job of {ranks} ranks failed:\n{stderr}")
            }
        }
    }
}

impl std::error::Error for LaunchError {}

/// The path of the running program, which `mpirun` starts once per rank.
pub fn own_executable() -> Result<PathBuf, LaunchError> {
    std::env::current_exe().map_err(LaunchError::NoExecutable)
}

/// Runs this program under `mpirun` with `ranks` ranks and `args`, and returns
/// what the job printed on stdout (rank 0 prints; the others stay silent).
pub fn run_self(
    ranks: usize,
    waiting: Waiting,
    args: &[String],
) -> Result<String, LaunchError> {
    let output = mpirun(ranks, waiting, own_executable()?, args)
        .stdin(Stdio::null())
        .output()
        .map_err(|error| match error.kind() {
            io::ErrorKind::NotFound => LaunchError::NoLauncher,
            _ => LaunchError::Start(error),
        })?;
    finished(ranks, output)
}

fn finished(ranks: usize, output: Output) -> Result<String, LaunchError> {
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(LaunchError::Failed {
            ranks,
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }
}

/// Rows `0..total` cut into `parts` contiguous blocks whose sizes differ by at
/// most one: block `part` as `(first row, number of rows)`.
///
/// Scatter, gather and the heat solver's domain decomposition all cut the same
/// way, so every rank can work out every other rank's share without asking.
pub fn block(total: usize, parts: usize, part: usize) -> (usize, usize) {
    let base = total / parts;
    let extra = total % parts;
    let rows = base + usize::from(part < extra);
    let first = part * base + part.min(extra);
    (first, rows)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{Waiting, block, is_rank_environment, mpirun, mpirun_on_hosts};

    /// The value given to `--mca <name>` on a command line, if any.
    fn mca(command: &std::process::Command, name: &str) -> Option<String> {
        let args: Vec<String> = command
            .get_args()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect();
        args.windows(3)
            .find(|w| w[0] == "--mca" && w[1] == name)
            .map(|w| w[2].clone())
    }

    #[test]
    fn a_local_job_keeps_its_traffic_on_this_machine() {
        let local = mpirun(4, Waiting::Yield, "program", &[]);
        assert_eq!(mca(&local, "oob_tcp_if_include").as_deref(), Some("lo"));
        let transports = mca(&local, "btl").expect("a BTL list");
        assert_eq!(transports, "self,vader", "no TCP BTL, so no sockets");
    }

    #[test]
    fn a_waiting_rank_spins_or_yields_as_asked() {
        for (waiting, name, flag) in
            [(Waiting::Poll, "poll", "0"), (Waiting::Yield, "yield", "1")]
        {
            assert_eq!(waiting.name(), name);
            let job = mpirun(2, waiting, "program", &[]);
            let yields = mca(&job, "mpi_yield_when_idle");
            assert_eq!(yields.as_deref(), Some(flag), "{name}");
        }
    }

    #[test]
    fn a_job_across_hosts_uses_the_network_it_is_given_and_no_other() {
        let network = "10.231.1.0/24";
        let hosts = Path::new("hosts");
        let across = mpirun_on_hosts(3, hosts, "ssh", network, "program", &[]);
        assert_eq!(
            mca(&across, "oob_tcp_if_include").as_deref(),
            Some(network)
        );
        assert_eq!(
            mca(&across, "btl_tcp_if_include").as_deref(),
            Some(network)
        );
        assert!(mca(&across, "btl").is_some_and(|btl| btl.contains("tcp")));
    }

    #[test]
    fn a_rank_of_mpirun_srun_or_a_pmix_launcher_does_not_launch_again() {
        for launcher in [
            "OMPI_COMM_WORLD_SIZE",
            "PMIX_RANK",
            "PMI_RANK",
            "SLURM_PROCID",
        ] {
            assert!(is_rank_environment(|name| name == launcher), "{launcher}");
        }
        assert!(!is_rank_environment(|name| name == "HOME"));
    }

    #[test]
    fn blocks_cover_every_row_once_and_differ_by_at_most_one() {
        for total in 0..40 {
            for parts in 1..9 {
                let blocks: Vec<_> =
                    (0..parts).map(|p| block(total, parts, p)).collect();
                let mut next = 0;
                for &(first, rows) in &blocks {
                    assert_eq!(first, next);
                    next += rows;
                }
                assert_eq!(next, total);
                let sizes = blocks.iter().map(|b| b.1);
                let spread =
                    sizes.clone().max().unwrap() - sizes.min().unwrap();
                assert!(
                    spread <= 1,
                    "{total} rows in {parts} parts: {blocks:?}"
                );
            }
        }
    }
}
