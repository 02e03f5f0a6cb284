//! Chapter 31's exercise, solved: a fan-out with a limit.

use std::time::Duration;

use ch31_ssh_fan_out::fan_out::{Report, one_host};
use ch31_ssh_fan_out::hostfile::Host;
use tokio::process::Command;
use tokio::task::JoinSet;

// ANCHOR: limit
/// `run_everywhere` with a window: once `limit` commands are running, the
/// next starts only when one of them has ended.
pub async fn run_with_limit(
    jobs: Vec<(Host, Command)>,
    limit: usize,
    deadline: Duration,
) -> Vec<Report> {
    let mut reports: Vec<Option<Report>> = vec![None; jobs.len()];
    let mut running = JoinSet::new();
    let mut collect = |finished: Option<Result<(usize, Report), _>>| {
        let (index, report) = finished
            .expect("a command is running")
            .expect("a host's task never panics");
        reports[index] = Some(report);
    };
    for (index, (host, command)) in jobs.into_iter().enumerate() {
        if running.len() >= limit.max(1) {
            collect(running.join_next().await);
        }
        running.spawn(async move {
            (index, one_host(host, command, deadline).await)
        });
    }
    while !running.is_empty() {
        collect(running.join_next().await);
    }
    reports.into_iter().flatten().collect()
}
// ANCHOR_END: limit
