//! The fan-out against hosts made on this machine: as network namespaces
//! (when this process may make them) and on loopback addresses. Every host
//! answers once and as itself; a stopped, a frozen and a hung host are each
//! reported within a bounded time; the lab's guard leaves no namespace behind,
//! even when a test panics. This file also checks what the book's output must
//! show (its times, and the lab's subnet, vary).

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use book_helpers::cli::{self, Ran};
use ch31_ssh_fan_out::fan_out::{
    Outcome, Report, SshOptions, one_host, run_everywhere,
};
use ch31_ssh_fan_out::hostfile::Host;
use ch31_ssh_fan_out::lab::{Lab, Mode, namespaces_named};
use nix::unistd::Uid;

const BINARY: &str = env!("CARGO_BIN_EXE_ch31-ssh-fan-out");

/// Generous for a healthy host on a busy machine; no test waits this long
/// unless something is broken.
const CONNECT: Duration = Duration::from_secs(15);
const DEADLINE: Duration = Duration::from_secs(30);
/// The whole of one fan-out; past it, the test fails instead of hanging.
const BOUND: Duration = Duration::from_secs(60);

/// Printed past the test harness's capture, so it shows in every run.
fn say(line: &str) {
    writeln!(std::io::stderr(), "{line}").ok();
}

/// The modes this machine can run: loopback always, namespaces when allowed.
fn modes() -> Vec<Mode> {
    if Mode::best() == Mode::Namespaces {
        say("MODE EXERCISED: network namespaces and loopback addresses");
        vec![Mode::Namespaces, Mode::Loopback]
    } else {
        say(
            "NOT EXERCISED: network namespaces (needs root); loopback addresses only",
        );
        vec![Mode::Loopback]
    }
}

async fn fan_out(
    hosts: &[Host],
    options: &SshOptions,
    remote: &str,
) -> Vec<Report> {
    tokio::time::timeout(BOUND, run_everywhere(hosts, options, remote))
        .await
        .expect("the fan-out ended within its bound")
}

fn answer(report: &Report) -> &str {
    match &report.outcome {
        Outcome::Answered { code: 0, stdout } => stdout,
        other => panic!("{} did not answer: {other:?}", report.host.name),
    }
}

#[tokio::test]
async fn every_host_answers_once_and_as_itself() {
    for mode in modes() {
        let lab = Lab::start(4, mode).expect("the lab starts");
        let options = lab.ssh_options(CONNECT, DEADLINE);
        // sshd sets SSH_CONNECTION to "client port server port": the server
        // address says which host ran the command.
        let reports =
            fan_out(lab.hosts(), &options, "echo $SSH_CONNECTION").await;
        assert_eq!(reports.len(), 4);
        for (report, host) in reports.iter().zip(lab.hosts()) {
            assert_eq!(&report.host, host, "reports come back in host order");
            let words: Vec<&str> = answer(report).split_whitespace().collect();
            assert_eq!(
                words[2..],
                [host.address.as_str(), &host.port.to_string()],
                "{mode:?}"
            );
        }
        if mode == Mode::Namespaces {
            let reports = fan_out(lab.hosts(), &options, "hostname").await;
            for (report, host) in reports.iter().zip(lab.hosts()) {
                assert_eq!(
                    answer(report).trim(),
                    host.name,
                    "each namespace has its own hostname"
                );
            }
        }
        if Uid::effective().is_root() {
            // A home of its own, empty as a fresh machine's: no dotfiles of
            // this machine run in every host's login shell at once.
            let reports = fan_out(lab.hosts(), &options, "ls -A ~").await;
            for report in &reports {
                let host = &report.host.name;
                assert_eq!(answer(report), "", "{host}'s home ({mode:?})");
            }
        }
    }
}

#[tokio::test]
async fn repeated_fan_outs_lose_and_mix_up_nothing() {
    let mode = modes()[0];
    let lab = Lab::start(6, mode).expect("the lab starts");
    let options = lab.ssh_options(CONNECT, DEADLINE);
    for round in 0..5 {
        let remote = format!("echo {round} $SSH_CONNECTION");
        let reports = fan_out(lab.hosts(), &options, &remote).await;
        assert_eq!(reports.len(), 6);
        for (report, host) in reports.iter().zip(lab.hosts()) {
            let words: Vec<&str> = answer(report).split_whitespace().collect();
            assert_eq!(words[0], round.to_string());
            assert_eq!(words[3], host.address);
        }
    }
}

#[tokio::test]
async fn stopped_and_frozen_hosts_are_reported_within_the_connect_timeout() {
    for mode in modes() {
        let mut lab = Lab::start(4, mode).expect("the lab starts");
        lab.stop(3);
        lab.freeze(2).expect("sshd can be frozen");
        let connect = Duration::from_secs(3);
        let options = lab.ssh_options(connect, DEADLINE);
        let reports = fan_out(lab.hosts(), &options, "echo up").await;
        assert_eq!(answer(&reports[0]).trim(), "up");
        assert_eq!(answer(&reports[1]).trim(), "up");
        match &reports[2].outcome {
            Outcome::Down(why) => assert!(why.contains("timed out"), "{why}"),
            other => panic!("a frozen sshd: {other:?}"),
        }
        assert!(
            reports[2].took < DEADLINE,
            "ssh's own connect timeout ended it"
        );
        match &reports[3].outcome {
            Outcome::Down(why) => assert!(why.contains("refused"), "{why}"),
            other => panic!("a stopped sshd: {other:?}"),
        }
    }
}

/// The processes on this machine whose command line contains `marker`, as
/// `pid: command line`. The lab's hosts, namespaces or not, share this
/// machine's process table, so their commands are listed too.
fn processes_with(marker: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|entry| {
            entry.file_name().to_string_lossy().parse::<u32>().is_ok()
        })
        .filter_map(|entry| {
            let raw = std::fs::read(entry.path().join("cmdline")).ok()?;
            let line = String::from_utf8_lossy(&raw).replace('\0', " ");
            line.contains(marker).then(|| {
                format!(
                    "{}: {}",
                    entry.file_name().to_string_lossy(),
                    line.trim()
                )
            })
        })
        .collect()
}

/// A command that runs for ten minutes and names `marker` in its own
/// arguments (`sleep 600.<marker>`, which GNU sleep reads as seconds) and in
/// its shell's.
fn long_command(marker: &str) -> String {
    format!("sleep 600.{marker}; echo {marker}")
}

/// A marker no other test's command carries.
fn new_marker() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.subsec_nanos());
    format!("{}{nanos:09}", std::process::id())
}

/// Waits (at most 15 s) until no process on this machine carries `marker`:
/// not the local `ssh`, not the remote shell, not the remote `sleep`.
async fn assert_all_gone(marker: &str, what: &str) {
    let give_up = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let left = processes_with(marker);
        if left.is_empty() {
            return;
        }
        assert!(
            tokio::time::Instant::now() < give_up,
            "still running 15 s after {what}: {left:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_command_that_hangs_is_cut_off_at_the_deadline_on_both_ends() {
    for mode in modes() {
        let lab = Lab::start(3, mode).expect("the lab starts");
        let deadline = Duration::from_secs(3);
        let options = lab.ssh_options(CONNECT, deadline);
        let marker = new_marker();
        let reports =
            fan_out(lab.hosts(), &options, &long_command(&marker)).await;
        for report in &reports {
            assert_eq!(report.outcome, Outcome::TimedOut);
            assert!(report.took >= deadline);
        }
        assert_all_gone(&marker, &format!("the deadline ({mode:?})")).await;
    }
}

/// Cancelling means dropping the fan-out's future, as `timeout`, `select!` or
/// an aborted task do: everything the fan-out started must then end, on this
/// machine and on the hosts, within a bounded time.
#[tokio::test]
async fn cancelling_the_fan_out_ends_the_remote_commands_too() {
    for mode in modes() {
        let lab = Lab::start(3, mode).expect("the lab starts");
        let options = lab.ssh_options(CONNECT, DEADLINE);
        let marker = new_marker();
        let remote = long_command(&marker);
        let sleeping = |running: &[String]| {
            let remote_sleeps =
                running.iter().filter(|line| line.contains(": sleep 600."));
            remote_sleeps.count()
        };
        let fan_out = run_everywhere(lab.hosts(), &options, &remote);
        // Running: every host's `sleep` has started (a bounded wait).
        let started = async {
            let give_up = tokio::time::Instant::now() + BOUND;
            while sleeping(&processes_with(&marker)) < 3 {
                assert!(
                    tokio::time::Instant::now() < give_up,
                    "the remote commands never started: {:?}",
                    processes_with(&marker)
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        };
        tokio::select! {
            reports = fan_out => panic!("a 600 s command returned: {reports:?}"),
            () = started => {} // the fan-out's future is dropped here
        }
        assert_all_gone(&marker, &format!("the cancel ({mode:?})")).await;
        // Only now may the lab go: its guard kills what is left on the hosts.
        drop(lab);
    }
}

#[tokio::test]
async fn exit_codes_come_back_and_an_unknown_host_key_is_refused() {
    let lab = Lab::start(3, modes()[0]).expect("the lab starts");
    let mut options = lab.ssh_options(CONNECT, DEADLINE);
    let reports = fan_out(lab.hosts(), &options, "echo out; exit 3").await;
    for report in &reports {
        let expected = Outcome::Answered {
            code: 3,
            stdout: "out\n".to_string(),
        };
        assert_eq!(report.outcome, expected);
    }
    let empty = std::env::temp_dir()
        .join(format!("ch31-empty-known-hosts-{}", std::process::id()));
    std::fs::write(&empty, "").expect("a scratch file");
    options.known_hosts = Some(empty.clone());
    let reports = fan_out(lab.hosts(), &options, "echo never").await;
    std::fs::remove_file(&empty).ok();
    for report in &reports {
        match &report.outcome {
            Outcome::Down(why) => {
                assert!(why.contains("Host key verification failed"), "{why}")
            }
            other => panic!("an unknown host key was accepted: {other:?}"),
        }
    }
}

#[test]
fn the_guard_deletes_the_namespaces_even_when_a_test_panics() {
    if Mode::best() != Mode::Namespaces {
        say("NOT EXERCISED: the namespace guard (needs root)");
        return;
    }
    let made = std::sync::Mutex::new(Vec::new());
    let listed_while_up = std::sync::Mutex::new(0);
    let panicked = std::panic::catch_unwind(|| {
        let lab = Lab::start(3, Mode::Namespaces).expect("the lab starts");
        made.lock().unwrap().extend(lab.namespaces().to_vec());
        // Counted here, checked outside: a failed assertion would be caught
        // below as the intended panic.
        *listed_while_up.lock().unwrap() = lab
            .namespaces()
            .iter()
            .flat_map(|name| namespaces_named(name))
            .count();
        panic!("a test failing while the lab is up");
    });
    assert!(panicked.is_err());
    let made = made.into_inner().unwrap();
    assert_eq!(made.len(), 3);
    assert_eq!(listed_while_up.into_inner().unwrap(), 3, "listed while up");
    for name in &made {
        assert!(
            namespaces_named(name).is_empty(),
            "{name} is still listed by `ip netns list`"
        );
    }
}

/// A path the lab set in its ssh options, as a command-line argument.
fn shown(path: &Option<PathBuf>) -> String {
    path.as_deref()
        .expect("the lab sets it")
        .display()
        .to_string()
}

/// The lab's `--hostfile` run, as a reader would point it at real machines.
fn run_on_hostfile(lab: &Lab, extra: &[&str]) -> Ran {
    let options = lab.ssh_options(CONNECT, DEADLINE);
    let hostfile = lab.hostfile().display().to_string();
    let (identity, known_hosts) =
        (shown(&options.identity), shown(&options.known_hosts));
    let user = options.user.clone().unwrap();
    let mut args = vec!["--hostfile", &hostfile, "--identity", &identity];
    args.extend([
        "--known-hosts",
        &known_hosts,
        "--user",
        &user,
        "--connect-timeout",
        "15",
    ]);
    args.extend(extra);
    cli::run(BINARY, &args)
}

#[test]
fn the_binary_reads_a_hostfile_and_fails_when_a_host_is_down() {
    let mut lab = Lab::start(3, modes()[0]).expect("the lab starts");
    let ran = run_on_hostfile(&lab, &["--", "echo", "hello"]);
    assert!(ran.succeeded(), "{}{}", ran.stdout, ran.stderr);
    assert_eq!(
        ran.stdout.matches("answered: hello").count(),
        3,
        "{}",
        ran.stdout
    );

    lab.stop(0);
    let ran = run_on_hostfile(&lab, &["--", "echo", "hello"]);
    assert_eq!(ran.code, Some(1), "a host is down: {}", ran.stdout);
    assert_eq!(
        ran.stdout.matches("answered: hello").count(),
        2,
        "{}",
        ran.stdout
    );
    let row = ran.rows_starting_with("host1 ")[0];
    assert!(row.contains("down: ") && row.contains("refused"), "{row}");
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
}

/// What the book's run (`--lab 3`) must show, whichever mode this machine
/// allows.
#[test]
fn the_demonstration_shows_a_fan_out_then_a_stopped_and_a_frozen_host() {
    let ran = cli::run(BINARY, &["--lab", "3"]);
    assert!(ran.succeeded(), "{}{}", ran.stdout, ran.stderr);
    let out = &ran.stdout;
    let mode = match Mode::best() {
        Mode::Namespaces => "mode: network namespaces",
        Mode::Loopback => "mode: loopback addresses",
    };
    assert!(out.contains(mode), "{out}");
    say(&format!("MODE SHOWN: {mode}"));
    for host in ["host1 ", "host2 ", "host3 "] {
        let rows = ran.rows_starting_with(host);
        assert_eq!(rows.len(), 2, "one row per round: {out}");
        assert!(rows[0].contains("answered"), "{}", rows[0]);
    }
    assert!(
        ran.rows_starting_with("host1 ")[1].contains("answered"),
        "{out}"
    );
    assert!(
        ran.rows_starting_with("host2 ")[1]
            .contains("timed out during banner exchange"),
        "{out}"
    );
    assert!(
        ran.rows_starting_with("host3 ")[1].contains("Connection refused"),
        "{out}"
    );
    assert!(out.contains("namespaces left behind: 0"), "{out}");
    // The namespaces this run made, by the subnet it printed, are gone.
    if let Some(lab) = out
        .split("10.231.")
        .nth(1)
        .and_then(|rest| rest.split('.').next())
    {
        assert!(namespaces_named(&format!("ch31-lab{lab}-")).is_empty());
    }
}

#[test]
fn help_and_bad_arguments() {
    cli::assert_help_mentions(
        BINARY,
        &[
            "--hostfile",
            "--lab",
            "--mode",
            "--connect-timeout",
            "--deadline",
        ],
    );
    cli::assert_refused(
        BINARY,
        &[
            &[],
            &["--lab", "2"],
            &["--lab", "3", "--hostfile", "hosts"],
            &["--hostfile", "hosts"],
            &["--mode", "loopback", "--hostfile", "hosts", "--", "true"],
            &["--lab", "3", "--connect-timeout", "0"],
        ],
    );
}

#[test]
fn a_missing_or_wrong_hostfile_is_a_clear_error() {
    let missing =
        cli::run(BINARY, &["--hostfile", "/nonexistent/hosts", "--", "true"]);
    assert_eq!(missing.code, Some(1));
    assert!(
        missing.stderr.contains("cannot read /nonexistent/hosts"),
        "{}",
        missing.stderr
    );

    let wrong = std::env::temp_dir()
        .join(format!("ch31-wrong-hosts-{}", std::process::id()));
    std::fs::write(&wrong, "web1 10.0.0.1\nweb2 10.0.0.2 http\n")
        .expect("a scratch file");
    let ran = cli::run(
        BINARY,
        &["--hostfile", &wrong.display().to_string(), "--", "true"],
    );
    std::fs::remove_file(&wrong).ok();
    assert_eq!(ran.code, Some(1));
    assert!(ran.stderr.contains("line 2"), "{}", ran.stderr);
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
}

#[test]
fn without_ssh_the_fan_out_says_what_to_install() {
    let lab = Lab::start(3, Mode::Loopback).expect("the lab starts");
    let options = lab.ssh_options(CONNECT, DEADLINE);
    let hostfile = lab.hostfile().display().to_string();
    let mut command = Command::new(BINARY);
    command.env("PATH", "/nonexistent").args([
        "--hostfile",
        &hostfile,
        "--identity",
        &shown(&options.identity),
        "--",
        "true",
    ]);
    let ran = cli::run_command(command);
    assert_eq!(ran.code, Some(1));
    assert_eq!(
        ran.stdout.matches("not started: no `ssh` on PATH").count(),
        3,
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("cargo xtask setup"), "{}", ran.stdout);
}

/// Only a missing `ssh` gets the install hint: any other failure to start it
/// (here a file that is not executable) is reported as the system words it.
#[tokio::test]
async fn an_ssh_that_cannot_start_is_reported_as_the_system_says() {
    let not_executable = std::env::temp_dir()
        .join(format!("ch31-not-executable-{}", std::process::id()));
    std::fs::write(&not_executable, "#!/bin/sh\n").expect("a scratch file");
    let host = Host {
        name: "host1".to_string(),
        address: "127.0.0.1".to_string(),
        port: 22,
    };
    let ssh = tokio::process::Command::new(&not_executable);
    let report = one_host(host, ssh, DEADLINE).await;
    std::fs::remove_file(&not_executable).ok();
    match report.outcome {
        Outcome::NotStarted(why) => {
            assert!(why.contains("Permission denied"), "{why}");
            assert!(!why.contains("install"), "{why}");
        }
        other => panic!("a file that cannot run: {other:?}"),
    }
}

/// The lab's settings as one command line, the form `mpirun`'s ssh agent and
/// `rsync -e` take, log in to a host too.
#[test]
fn the_ssh_command_line_logs_in() {
    let lab = Lab::start(1, modes()[0]).expect("the lab starts");
    let host = &lab.hosts()[0];
    let line = format!(
        "{} -p {} {} 'echo $SSH_CONNECTION'",
        lab.ssh_command_line(),
        host.port,
        host.address
    );
    let ran = cli::run_command({
        let mut shell = Command::new("sh");
        shell.arg("-c").arg(&line);
        shell
    });
    assert_eq!(ran.code, Some(0), "{line}: {}", ran.stderr);
    let words: Vec<&str> = ran.stdout.split_whitespace().collect();
    assert_eq!(words.get(2), Some(&host.address.as_str()), "{}", ran.stdout);
}
