//! Chapter 31's exercise: a fan-out with a limit.
//!
//! Write `run_with_limit`: `ch31_ssh_fan_out::fan_out::run_everywhere` with
//! at most `limit` commands running at once, as `pssh -p` and Ansible's
//! forks have it. Check it with `cargo exercise ch31`.

use std::time::Duration;

use ch31_ssh_fan_out::fan_out::Report;
use ch31_ssh_fan_out::hostfile::Host;
use tokio::process::Command;

/// Runs every job's command (an `ssh`, or anything standing in for it) with
/// `ch31_ssh_fan_out::fan_out::one_host` and its `deadline`, never more than
/// `limit` (at least 1) at a time, starting the next as soon as one ends.
/// Returns one report per job, in the order of `jobs`.
pub async fn run_with_limit(
    jobs: Vec<(Host, Command)>,
    limit: usize,
    deadline: Duration,
) -> Vec<Report> {
    // Your code here. A `tokio::task::JoinSet` knows how many tasks it holds
    // (`len`) and hands back the next to finish (`join_next`).
    todo!()
}
