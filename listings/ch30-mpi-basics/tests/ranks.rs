//! The program on 1, 2, 3 and 4 ranks, started by `mpirun` directly and by the
//! program itself: every collective's result checked exactly, runs repeated,
//! and a machine without `mpirun` told what to install.

use std::process::Command;
use std::time::{Duration, Instant};

use book_helpers::cli::{self, Ran};
use ch30_mpi_basics::{Waiting, mpirun, one_job_at_a_time};

const BINARY: &str = env!("CARGO_BIN_EXE_ch30-mpi-basics");

/// `mpirun -n <ranks>` on the binary, bounded in time by `cli::run_command`.
/// A machine without Open MPI fails here with the launcher's own message.
fn under_mpirun(ranks: usize, per_rank: u64) -> Ran {
    let args = ["--per-rank".to_string(), per_rank.to_string()];
    let _one = one_job_at_a_time();
    let ran = cli::run_command(mpirun(ranks, Waiting::Yield, BINARY, &args));
    assert!(
        ran.succeeded(),
        "mpirun -n {ranks} failed (is Open MPI installed? `cargo xtask setup`):\n{}",
        ran.stderr
    );
    ran
}

/// What rank 0 must print for `ranks` ranks of `per_rank` numbers each.
fn assert_results(ran: &Ran, ranks: u64, per_rank: u64) {
    let out = &ran.stdout;
    let count = ranks * per_rank;
    let token = ranks * (ranks - 1) / 2;
    let block_sums: Vec<u64> = (0..ranks)
        .map(|r| (r * per_rank + 1..=(r + 1) * per_rank).sum())
        .collect();
    let expected_lines = [
        format!("{ranks} ranks started by mpirun"),
        format!("came back as {token} = "),
        format!("every rank got {:?}", vec![per_rank; ranks as usize]),
        format!("1..={count} dealt out in {ranks} blocks"),
        format!("at rank 0: {block_sums:?}"),
        format!(
            "at rank 0: {} (1 + … + {count} = {})",
            count * (count + 1) / 2,
            count * (count + 1) / 2
        ),
        format!(
            "on every rank: {:?}",
            vec![block_sums.last().copied().unwrap_or(0); ranks as usize]
        ),
    ];
    for expected in expected_lines {
        assert!(out.contains(&expected), "missing {expected:?} in\n{out}");
    }
    // Only rank 0 prints: one report, not one per rank.
    assert_eq!(out.matches("ring:").count(), 1, "{out}");
}

#[test]
fn every_collective_is_exact_on_1_2_and_4_ranks() {
    for ranks in [1, 2, 4] {
        let ran = under_mpirun(ranks, 5);
        assert_results(&ran, ranks as u64, 5);
    }
}

#[test]
fn a_plain_run_starts_itself_under_mpirun() {
    let _one = one_job_at_a_time();
    let ran = cli::run(BINARY, &["--ranks", "3", "--per-rank", "7"]);
    assert!(ran.succeeded(), "{}", ran.stderr);
    assert_results(&ran, 3, 7);
}

#[test]
fn repeated_runs_with_varied_rank_counts_always_agree() {
    // Message passing has its own races (a receive matched to the wrong send,
    // a collective entered in a different order): repeat for about 5 seconds.
    let start = Instant::now();
    let mut runs = 0;
    for (ranks, per_rank) in [2, 3, 4].into_iter().zip([1, 100, 10_000]).cycle()
    {
        let ran = under_mpirun(ranks, per_rank);
        assert_results(&ran, ranks as u64, per_rank);
        runs += 1;
        if runs >= 6 && start.elapsed() > Duration::from_secs(5) {
            break;
        }
    }
}

#[test]
fn without_mpirun_the_program_says_what_to_install() {
    let empty = std::env::temp_dir()
        .join(format!("ch30-no-mpirun-{}", std::process::id()));
    std::fs::create_dir_all(&empty).expect("a scratch folder");
    let mut command = Command::new(BINARY);
    command.env("PATH", &empty);
    // Not a rank of any launcher's job, even when the tests run inside one.
    for launcher in [
        "OMPI_COMM_WORLD_SIZE",
        "PMIX_RANK",
        "PMI_RANK",
        "SLURM_PROCID",
    ] {
        command.env_remove(launcher);
    }
    let ran = cli::run_command(command);
    std::fs::remove_dir(&empty).ok();
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("`mpirun` was not found"),
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains("cargo xtask setup"), "{}", ran.stderr);
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
}

#[test]
fn help_and_bad_arguments() {
    cli::assert_help_mentions(BINARY, &["--ranks", "--per-rank"]);
    cli::assert_refused(
        BINARY,
        &[
            &["--ranks", "0"],
            &["--ranks", "many"],
            &["--per-rank", "0"],
            &["--bogus"],
        ],
    );
}

#[test]
fn a_rank_that_fails_ends_the_whole_job() {
    // Rank 1 fails at once; rank 0 would sleep far past the run's time limit.
    // mpirun ends rank 0 too, reports the failure, and returns its status.
    let script = r#"[ "$OMPI_COMM_WORLD_RANK" = 1 ] && exit 3; sleep 600"#;
    let args = ["-c".to_string(), script.to_string()];
    let _one = one_job_at_a_time();
    let ran = cli::run_command(mpirun(2, Waiting::Yield, "sh", &args));
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(ran.stderr.contains("non-zero exit code"), "{}", ran.stderr);
}
