//! Chapter 30's model on the prime count: `mpirun` starts N ranks of this
//! binary, each counts its share of the blocks, and one `reduce` adds the
//! counts up at rank 0.

use std::io::{self, Read};
use std::path::Path;
use std::process::Stdio;
use std::time::Instant;

use anyhow::{Context as _, Result, anyhow, bail};
use ch30_mpi_basics::{LaunchError, Waiting, mpirun};
use mpi::collective::SystemOperation;
use mpi::traits::*;

use crate::crew::{PATIENCE, wait_until};
use crate::{blocks, count_primes_in};

// ANCHOR: mpi_reduce
/// One rank: its share of the blocks, dealt by rank like the scoped threads'
/// share, then a sum over every rank that arrives at rank 0, which prints it.
pub fn mpi_rank(limit: u64) -> Result<()> {
    let universe = mpi::initialize().context("MPI was initialised twice")?;
    let world = universe.world();
    let (me, ranks) = (world.rank() as usize, world.size() as usize);
    let mine: u64 = blocks(limit)
        .skip(me)
        .step_by(ranks)
        .map(count_primes_in)
        .sum();
    let root = world.process_at_rank(0);
    if me == 0 {
        let mut total = 0_u64;
        root.reduce_into_root(&mine, &mut total, SystemOperation::sum());
        println!("{total}");
    } else {
        root.reduce_into(&mine, SystemOperation::sum());
    }
    Ok(())
}

/// `mpirun -n ranks` on this binary (chapter 30's launcher), bounded in time,
/// and rank 0's answer read back.
pub fn mpi_reduce(program: &Path, limit: u64, ranks: usize) -> Result<u64> {
    let args = ["--size".to_string(), limit.to_string()];
    let mut job = mpirun(ranks, Waiting::Yield, program, &args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| match error.kind() {
            io::ErrorKind::NotFound => LaunchError::NoLauncher,
            _ => LaunchError::Start(error),
        })?;
    let status =
        wait_until(&mut job, Instant::now() + PATIENCE)?.ok_or_else(|| {
            anyhow!("the MPI job did not end within {PATIENCE:?}")
        })?;
    let (mut answer, mut complaint) = (String::new(), String::new());
    job.stdout
        .take()
        .context("piped")?
        .read_to_string(&mut answer)?;
    job.stderr
        .take()
        .context("piped")?
        .read_to_string(&mut complaint)?;
    if !status.success() {
        bail!(LaunchError::Failed {
            ranks,
            stderr: complaint
        });
    }
    answer
        .trim()
        .parse()
        .with_context(|| format!("rank 0 said {answer:?}"))
}
// ANCHOR_END: mpi_reduce

/// Why the MPI model cannot run here, if it cannot: no `mpirun` on `PATH`.
pub fn mpi_missing() -> Option<String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found =
        std::env::split_paths(&path).any(|dir| dir.join("mpirun").is_file());
    (!found).then(|| LaunchError::NoLauncher.to_string())
}
