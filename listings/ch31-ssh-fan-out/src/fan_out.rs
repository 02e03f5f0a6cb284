//! One command on every host at once: an `ssh` child process per host, all
//! awaited together by tokio, each bounded in time.

use std::io::ErrorKind;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::Command;
use tokio::task::JoinSet;

use crate::hostfile::Host;

/// How to reach the hosts. `None` leaves a setting to ssh's configuration,
/// which is what a reader wants for real machines; the lab sets them all.
#[derive(Clone, Debug)]
pub struct SshOptions {
    /// An ssh configuration file instead of `~/.ssh/config` (`none`: no file).
    pub config: Option<PathBuf>,
    pub user: Option<String>,
    pub identity: Option<PathBuf>,
    pub known_hosts: Option<PathBuf>,
    /// How long ssh may take to connect and say hello.
    pub connect_timeout: Duration,
    /// How long one host may take in all, command included.
    pub deadline: Duration,
}

// ANCHOR: ssh_command
/// `ssh` for one host, set up never to wait for a person: no password or
/// passphrase prompt (BatchMode), no "are you sure?" about an unknown host
/// key (StrictHostKeyChecking refuses it), and a bound on connecting. `-tt`
/// gives the remote command a terminal, so that it dies with the connection:
/// when this `ssh` is killed, sshd hangs up the terminal and the kernel sends
/// SIGHUP to the remote shell and its foreground command.
pub fn ssh_command(host: &Host, options: &SshOptions, remote: &str) -> Command {
    let mut ssh = Command::new("ssh");
    if let Some(config) = &options.config {
        ssh.arg("-F").arg(config);
    }
    let seconds = options.connect_timeout.as_secs().max(1);
    ssh.arg("-tt")
        .args(["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes"])
        .args(["-o", "LogLevel=ERROR", "-o"])
        .arg(format!("ConnectTimeout={seconds}"));
    if let Some(known_hosts) = &options.known_hosts {
        ssh.arg("-o")
            .arg(format!("UserKnownHostsFile={}", known_hosts.display()));
    }
    if let Some(identity) = &options.identity {
        ssh.args(["-o", "IdentitiesOnly=yes", "-i"]).arg(identity);
    }
    if let Some(user) = &options.user {
        ssh.arg("-l").arg(user);
    }
    ssh.arg("-p").arg(host.port.to_string());
    ssh.arg("--").arg(&host.address).arg(remote);
    ssh
}
// ANCHOR_END: ssh_command

/// What became of one host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The command ran; its exit code and what it printed. On the terminal
    /// that `-tt` asks for, stdout and stderr are one stream, and the
    /// terminal's `\r\n` line ends are turned back into `\n`.
    Answered { code: i32, stdout: String },
    /// ssh itself gave up (its exit code 255): ssh's last word on why.
    Down(String),
    /// The host took longer than the deadline; its ssh was killed.
    TimedOut,
    /// `ssh` could not be started at all.
    NotStarted(String),
}

/// One host's outcome and how long it took to get it.
#[derive(Clone, Debug)]
pub struct Report {
    pub host: Host,
    pub outcome: Outcome,
    pub took: Duration,
}

impl Report {
    /// Answered with exit code 0.
    pub fn succeeded(&self) -> bool {
        matches!(self.outcome, Outcome::Answered { code: 0, .. })
    }
}

// ANCHOR: everywhere
/// Runs `remote` on every host at the same time and returns one report per
/// host, in the order of `hosts`, once the last one has answered or given up.
pub async fn run_everywhere(
    hosts: &[Host],
    options: &SshOptions,
    remote: &str,
) -> Vec<Report> {
    let mut running = JoinSet::new();
    for (index, host) in hosts.iter().enumerate() {
        let ssh = ssh_command(host, options, remote);
        let (host, deadline) = (host.clone(), options.deadline);
        running
            .spawn(async move { (index, one_host(host, ssh, deadline).await) });
    }
    let mut reports: Vec<Option<Report>> = vec![None; hosts.len()];
    while let Some(finished) = running.join_next().await {
        let (index, report) = finished.expect("a host's task never panics");
        reports[index] = Some(report);
    }
    reports.into_iter().flatten().collect()
}

/// Runs one host's `ssh` (or any command standing in for it) to the end or
/// to `deadline`, whichever comes first, and says what became of it.
pub async fn one_host(
    host: Host,
    mut ssh: Command,
    deadline: Duration,
) -> Report {
    let start = Instant::now();
    ssh.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true); // a host given up on leaves no ssh behind
    let outcome = match ssh.spawn() {
        Err(error) if error.kind() == ErrorKind::NotFound => {
            Outcome::NotStarted(
                "no `ssh` on PATH: install openssh-client, \
                 or run `cargo xtask setup`"
                    .to_string(),
            )
        }
        Err(error) => Outcome::NotStarted(error.to_string()),
        Ok(child) => {
            match tokio::time::timeout(deadline, child.wait_with_output()).await
            {
                Err(_elapsed) => Outcome::TimedOut,
                Ok(Err(error)) => {
                    Outcome::Down(format!("waiting for ssh failed: {error}"))
                }
                Ok(Ok(output)) => match output.status.code() {
                    Some(255) | None => {
                        Outcome::Down(last_line(&output.stderr))
                    }
                    Some(code) => Outcome::Answered {
                        code,
                        stdout: String::from_utf8_lossy(&output.stdout)
                            .replace("\r\n", "\n"),
                    },
                },
            }
        }
    };
    Report {
        host,
        outcome,
        took: start.elapsed(),
    }
}
// ANCHOR_END: everywhere

/// ssh's error, which it prints last.
fn last_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let line = text.lines().rev().find(|line| !line.trim().is_empty());
    line.unwrap_or("ssh failed and said nothing")
        .trim()
        .to_string()
}
