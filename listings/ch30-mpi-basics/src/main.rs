//! MPI's vocabulary in one program: point-to-point messages round a ring,
//! then the collectives — broadcast, scatter, gather, reduce and all-reduce.
//!
//! Started by hand, it starts itself under `mpirun`; started by `mpirun`, it
//! is one of N ranks, and rank 0 prints for all of them.

use std::process::ExitCode;

use book_helpers::cli;
use ch30_mpi_basics::{Waiting, run_self, under_mpirun};
use clap::Parser;
use mpi::collective::SystemOperation;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

/// MPI's basic operations on N ranks of one program.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// How many ranks (copies of this program) mpirun starts.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    ranks: u16,

    /// How many numbers each rank gets from the scatter.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    per_rank: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if under_mpirun() {
        return cli::exit_code(one_rank(args.per_rank));
    }
    // Started by hand: the same program, N times, under the launcher. Ranks
    // may outnumber cores here, so a waiting rank gives its core away.
    let forwarded = ["--per-rank".to_string(), args.per_rank.to_string()];
    let job = run_self(usize::from(args.ranks), Waiting::Yield, &forwarded);
    cli::exit_code(job.map(|stdout| print!("{stdout}")))
}

fn one_rank(per_rank: u64) -> Result<(), String> {
    let universe = mpi::initialize().ok_or("MPI was initialised twice")?;
    let world = universe.world();
    let size = world.size();
    let at_root = world.rank() == 0;
    if at_root {
        println!(
            "{size} ranks started by mpirun; rank 0 prints for all of them\n"
        );
    }

    let token = ring(&world);
    if let Some(token) = token {
        let hops: Vec<String> =
            (0..size).chain([0]).map(|r| r.to_string()).collect();
        let terms: Vec<String> = (0..size).map(|r| r.to_string()).collect();
        println!(
            "ring:        {}; the token came back as {token} = {}",
            hops.join(" → "),
            terms.join(" + ")
        );
    }

    let per_rank = broadcast_setting(&world, per_rank);
    let seen = gather(&world, per_rank);
    let sums = scatter_and_sum(&world, per_rank);
    let total = reduce(&world, sums.local);
    let largest = all_reduce_max(&world, sums.local);
    let largest_everywhere = gather(&world, largest);

    if let (Some(seen), Some(total), Some(largest_everywhere)) =
        (seen, total, largest_everywhere)
    {
        let count = per_rank * size as u64;
        let expected = count * (count + 1) / 2;
        println!(
            "broadcast:   rank 0 chose {per_rank} per rank; every rank got {seen:?}"
        );
        println!(
            "scatter:     1..={count} dealt out in {size} blocks of {per_rank}"
        );
        println!(
            "gather:      the blocks' sums, at rank 0: {:?}",
            sums.gathered
        );
        println!(
            "reduce:      their total, at rank 0: {total} (1 + … + {count} = {expected})"
        );
        println!(
            "all-reduce:  the largest sum, on every rank: {largest_everywhere:?}"
        );
        if total != expected || seen.iter().any(|&s| s != per_rank) {
            return Err("a collective gave a wrong result".into());
        }
    }
    Ok(())
}

// ANCHOR: ring
/// Rank 0 sends a token to rank 1, each rank adds its own number and passes
/// it on, and the last rank sends it back to rank 0. `Some(token)` at rank 0.
fn ring(world: &SimpleCommunicator) -> Option<i32> {
    let (rank, size) = (world.rank(), world.size());
    if size == 1 {
        return Some(0); // a ring of one: nobody to send to
    }
    let next = world.process_at_rank((rank + 1) % size);
    let previous = world.process_at_rank((rank + size - 1) % size);
    if rank == 0 {
        next.send(&0i32);
        let (token, _status) = previous.receive::<i32>();
        Some(token)
    } else {
        let (token, _status) = previous.receive::<i32>();
        next.send(&(token + rank));
        None
    }
}
// ANCHOR_END: ring

// ANCHOR: broadcast
/// Only rank 0's value counts: after the broadcast every rank holds it.
fn broadcast_setting(world: &SimpleCommunicator, mine: u64) -> u64 {
    let mut value = if world.rank() == 0 { mine } else { 0 };
    world.process_at_rank(0).broadcast_into(&mut value);
    value
}
// ANCHOR_END: broadcast

/// Every rank's `value`, in rank order, at rank 0 (`None` elsewhere).
fn gather(world: &SimpleCommunicator, value: u64) -> Option<Vec<u64>> {
    let root = world.process_at_rank(0);
    if world.rank() == 0 {
        let mut all = vec![0u64; world.size() as usize];
        root.gather_into_root(&value, &mut all[..]);
        Some(all)
    } else {
        root.gather_into(&value);
        None
    }
}

struct BlockSums {
    /// This rank's sum of its own block.
    local: u64,
    /// Every rank's sum, at rank 0 only.
    gathered: Vec<u64>,
}

// ANCHOR: scatter
/// Rank 0 owns the numbers 1..=n and deals out one block to each rank; each
/// rank sums its block, and rank 0 gathers the sums.
fn scatter_and_sum(world: &SimpleCommunicator, per_rank: u64) -> BlockSums {
    let root = world.process_at_rank(0);
    let mut block = vec![0u64; per_rank as usize];
    if world.rank() == 0 {
        let numbers: Vec<u64> = (1..=per_rank * world.size() as u64).collect();
        root.scatter_into_root(&numbers[..], &mut block[..]);
    } else {
        root.scatter_into(&mut block[..]);
    }
    let local = block.iter().sum();
    let gathered = gather(world, local).unwrap_or_default();
    BlockSums { local, gathered }
}
// ANCHOR_END: scatter

// ANCHOR: reduce
/// The sum over all ranks, combined by MPI on its way to rank 0.
fn reduce(world: &SimpleCommunicator, local: u64) -> Option<u64> {
    let root = world.process_at_rank(0);
    if world.rank() == 0 {
        let mut total = 0u64;
        root.reduce_into_root(&local, &mut total, SystemOperation::sum());
        Some(total)
    } else {
        root.reduce_into(&local, SystemOperation::sum());
        None
    }
}

/// The maximum over all ranks, delivered to every rank: a reduce and a
/// broadcast in one call.
fn all_reduce_max(world: &SimpleCommunicator, local: u64) -> u64 {
    let mut largest = 0u64;
    world.all_reduce_into(&local, &mut largest, SystemOperation::max());
    largest
}
// ANCHOR_END: reduce
