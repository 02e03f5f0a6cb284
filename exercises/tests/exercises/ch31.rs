use std::path::Path;
use std::time::Duration;

use book_helpers::finishes_within;
use ch31_ssh_fan_out::fan_out::{Outcome, Report};
use ch31_ssh_fan_out::hostfile::Host;
use exercises::ch31::run_with_limit;
use tokio::process::Command;

/// A host that is not there: the commands run here, standing in for ssh.
fn host(name: &str) -> Host {
    Host {
        name: name.to_string(),
        address: "127.0.0.1".to_string(),
        port: 22,
    }
}

/// A command that notes its start and end in `log`, sleeping between, then
/// prints `said` and exits with `code`.
fn job(log: &Path, sleep: &str, said: &str, code: i32) -> Command {
    let mut command = Command::new("sh");
    command.arg("-c").arg(format!(
        "echo start >> '{log}'; sleep {sleep}; echo end >> '{log}'; \
         echo {said}; exit {code}",
        log = log.display()
    ));
    command
}

/// Runs the jobs on a fresh runtime; returns the reports and the most
/// commands the log shows running at once.
fn fan_out(
    name: &str,
    jobs: &[(&str, &str, i32)],
    limit: usize,
    deadline: Duration,
) -> (Vec<Report>, usize) {
    let log = std::env::temp_dir()
        .join(format!("ch31-exercise-{}-{name}.log", std::process::id()));
    let _ = std::fs::remove_file(&log);
    let commands: Vec<(Host, Command)> = jobs
        .iter()
        .enumerate()
        .map(|(i, &(sleep, said, code))| {
            (host(&format!("h{i}")), job(&log, sleep, said, code))
        })
        .collect();
    let reports = finishes_within(Duration::from_secs(30), move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(run_with_limit(commands, limit, deadline))
    });
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    let (mut now, mut most) = (0_i32, 0_i32);
    for line in text.lines() {
        now += if line == "start" { 1 } else { -1 };
        most = most.max(now);
    }
    (reports, usize::try_from(most).unwrap_or(0))
}

#[test]
fn ch31_never_more_than_the_limit_and_every_host_reported() {
    let words = ["a", "b", "c", "d", "e", "f", "g"];
    for (limit, count, sleep) in [(1, 3, "0.1"), (3, 7, "0.6")] {
        let jobs: Vec<(&str, &str, i32)> = words[..count]
            .iter()
            .map(|&said| (sleep, said, 0))
            .collect();
        let deadline = Duration::from_secs(20);
        let (reports, most) = fan_out("limit", &jobs, limit, deadline);
        // Commands that take 0.6 s each overlap once started together.
        assert_eq!(most, limit, "the most running at once, limit {limit}");
        let said: Vec<String> = reports
            .iter()
            .map(|report| match &report.outcome {
                Outcome::Answered { code: 0, stdout } => stdout.trim().into(),
                other => panic!("{}: {other:?}", report.host.name),
            })
            .collect();
        assert_eq!(said, words[..count], "one report per job, in order");
        for (i, report) in reports.iter().enumerate() {
            assert_eq!(report.host.name, format!("h{i}"));
        }
    }
}

#[test]
fn ch31_a_slow_host_times_out_and_frees_its_place() {
    let jobs = [
        ("5", "slow", 0),
        ("0", "x", 3),
        ("0", "y", 0),
        ("0", "z", 0),
    ];
    let deadline = Duration::from_millis(700);
    let (reports, _) = fan_out("slow", &jobs, 2, deadline);
    let outcomes: Vec<Outcome> =
        reports.into_iter().map(|report| report.outcome).collect();
    let answered = |code, said: &str| Outcome::Answered {
        code,
        stdout: format!("{said}\n"),
    };
    assert_eq!(
        outcomes,
        [
            Outcome::TimedOut,
            answered(3, "x"),
            answered(0, "y"),
            answered(0, "z")
        ]
    );
}

#[test]
fn ch31_no_jobs_no_reports() {
    let (reports, most) = fan_out("none", &[], 4, Duration::from_secs(1));
    assert!(reports.is_empty());
    assert_eq!(most, 0);
}
