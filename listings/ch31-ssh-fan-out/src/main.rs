//! Runs one command on many hosts at once over ssh and reports each host's
//! answer — or why it gave none — within a bounded time.
//!
//! `--hostfile FILE -- COMMAND` runs on the machines the file names;
//! `--lab K` makes K hosts on this machine first and shows a fan-out, then
//! the same fan-out with one host stopped and one frozen.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use book_helpers::measure::Machine;
use book_helpers::{cli, format_duration};
use ch31_ssh_fan_out::fan_out::{Outcome, Report, SshOptions, run_everywhere};
use ch31_ssh_fan_out::hostfile;
use ch31_ssh_fan_out::lab::{Lab, Mode, namespaces_named};
use clap::{ArgGroup, CommandFactory, Parser, ValueEnum, error::ErrorKind};

/// Run a command on many hosts at once over ssh.
#[derive(Parser)]
#[command(version, group(ArgGroup::new("hosts").required(true).args(["hostfile", "lab"])))]
struct Args {
    /// The hosts: one `name address [port]` per line, `#` for comments.
    #[arg(long)]
    hostfile: Option<PathBuf>,

    /// Make this many ssh hosts on this machine and show a fan-out on them.
    #[arg(long, value_parser = clap::value_parser!(u8).range(3..=16))]
    lab: Option<u8>,

    /// With --lab: network namespaces (needs root), loopback addresses, or
    /// whichever this machine allows.
    #[arg(long, value_enum, conflicts_with = "hostfile")]
    mode: Option<LabMode>,

    /// Log in as this user (default: ssh's configuration).
    #[arg(long)]
    user: Option<String>,

    /// Private key to log in with (default: ssh's configuration).
    #[arg(long)]
    identity: Option<PathBuf>,

    /// The known_hosts file that vouches for the hosts' keys.
    #[arg(long)]
    known_hosts: Option<PathBuf>,

    /// Seconds ssh may take to connect and exchange greetings.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=60))]
    connect_timeout: u64,

    /// Seconds one host may take in all, command included.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    deadline: u64,

    /// The command to run on every host (after `--`).
    #[arg(last = true)]
    command: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum LabMode {
    Auto,
    Namespaces,
    Loopback,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.hostfile.is_some() && args.command.is_empty() {
        Args::command()
            .error(
                ErrorKind::MissingRequiredArgument,
                "name the command to run after `--`",
            )
            .exit();
    }
    // Every host's work happens in an ssh child process; this program only
    // waits for them, and one thread waits for any number of processes.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let machine = Machine::now();
    let result = runtime
        .map_err(|error| format!("cannot start the runtime: {error}"))
        .and_then(|runtime| runtime.block_on(run(args)));
    if result.is_ok() {
        println!("\n{}", machine.header());
    }
    match result {
        // The table has already said which hosts failed, and why.
        Ok(false) => ExitCode::FAILURE,
        finished => cli::exit_code(finished.map(drop)),
    }
}

/// `Ok(true)` when every host did what was expected of it.
async fn run(args: Args) -> Result<bool, String> {
    let connect_timeout = Duration::from_secs(args.connect_timeout);
    let deadline = Duration::from_secs(args.deadline);
    if let Some(count) = args.lab {
        let mode = match args.mode.unwrap_or(LabMode::Auto) {
            LabMode::Auto => {
                let best = Mode::best();
                if best == Mode::Loopback {
                    println!(
                        "(not root, or `ip netns` refused: no namespaces on this machine)"
                    );
                }
                best
            }
            LabMode::Namespaces => Mode::Namespaces,
            LabMode::Loopback => Mode::Loopback,
        };
        let remote = if args.command.is_empty() {
            "sleep 1; hostname".to_string()
        } else {
            args.command.join(" ")
        };
        return demonstrate(
            usize::from(count),
            mode,
            &remote,
            connect_timeout,
            deadline,
        )
        .await;
    }
    let path = args.hostfile.expect("clap requires --hostfile or --lab");
    let text = std::fs::read_to_string(&path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    let hosts = hostfile::parse(&text)
        .map_err(|error| format!("{}: {error}", path.display()))?;
    let options = SshOptions {
        config: None,
        user: args.user,
        identity: args.identity,
        known_hosts: args.known_hosts,
        connect_timeout,
        deadline,
    };
    let reports =
        run_everywhere(&hosts, &options, &args.command.join(" ")).await;
    print_reports(&reports, deadline);
    Ok(reports.iter().all(Report::succeeded))
}

// ANCHOR: demonstrate
async fn demonstrate(
    count: usize,
    mode: Mode,
    remote: &str,
    connect_timeout: Duration,
    deadline: Duration,
) -> Result<bool, String> {
    let mut lab = Lab::start(count, mode)?;
    println!("mode: {}", lab.mode().describe());
    println!("{count} hosts, one `name address port` line each:");
    for host in lab.hosts() {
        println!("  {host}");
    }
    let options = lab.ssh_options(connect_timeout, deadline);

    println!("\n$ {remote}    (on every host at once)");
    let start = Instant::now();
    let first = run_everywhere(lab.hosts(), &options, remote).await;
    print_reports(&first, deadline);
    print_total(&first, start.elapsed());

    let (frozen, stopped) = (count - 2, count - 1);
    lab.stop(stopped);
    lab.freeze(frozen)?;
    println!(
        "\n{}'s sshd stopped, {}'s frozen (SIGSTOP); the same command again:",
        lab.hosts()[stopped].name,
        lab.hosts()[frozen].name
    );
    let start = Instant::now();
    let second = run_everywhere(lab.hosts(), &options, remote).await;
    print_reports(&second, deadline);
    print_total(&second, start.elapsed());

    let made = lab.namespaces().to_vec();
    drop(lab); // the guard kills every sshd and deletes the namespaces
    let left: Vec<String> = made
        .iter()
        .flat_map(|name| namespaces_named(name))
        .collect();
    println!("\nlab removed; namespaces left behind: {}", left.len());

    let first_ok = first.iter().all(Report::succeeded);
    let second_ok = second.iter().enumerate().all(|(index, report)| {
        report.succeeded() == (index != frozen && index != stopped)
    });
    Ok(first_ok && second_ok && left.is_empty())
}
// ANCHOR_END: demonstrate

fn print_reports(reports: &[Report], deadline: Duration) {
    println!("{:<6} {:<16} {:>8}  result", "host", "address", "took");
    for report in reports {
        let host = &report.host;
        let result = match &report.outcome {
            Outcome::Answered { code: 0, stdout } => {
                format!("answered: {}", one_line(stdout))
            }
            Outcome::Answered { code, stdout } => {
                format!("exited with {code}: {}", one_line(stdout))
            }
            // ssh says "ssh: connect to host … port …: <reason>"; the
            // table already names the host, so the reason is enough.
            Outcome::Down(why) => {
                format!("down: {}", why.rsplit(": ").next().unwrap_or(why))
            }
            Outcome::TimedOut => format!(
                "timed out: nothing within the {} deadline, ssh killed",
                format_duration(deadline)
            ),
            Outcome::NotStarted(why) => format!("not started: {why}"),
        };
        println!(
            "{:<6} {:<16} {:>8}  {result}",
            host.name,
            format!("{}:{}", host.address, host.port),
            format_duration(report.took)
        );
    }
}

/// The fan-out's time next to what the same hosts, one after another,
/// would have cost: the sum of their own times.
fn print_total(reports: &[Report], elapsed: Duration) {
    let one_by_one: Duration = reports.iter().map(|report| report.took).sum();
    println!(
        "all done in {}; one host after another: {}",
        format_duration(elapsed),
        format_duration(one_by_one)
    );
}

/// A command's output on one line of the table.
fn one_line(output: &str) -> String {
    let lines: Vec<&str> = output
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join(" | ")
}
