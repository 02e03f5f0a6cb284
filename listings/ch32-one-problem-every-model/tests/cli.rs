//! The program as a reader runs it: help, one model, all models, refused
//! arguments.

use book_helpers::cli::{self, Ran};

const BINARY: &str = env!("CARGO_BIN_EXE_ch32-one-problem-every-model");

fn run(args: &[&str]) -> Ran {
    cli::run(BINARY, args)
}

#[test]
fn help_explains_the_program_and_exits_zero() {
    cli::assert_help_mentions(BINARY, &["--size", "--threads", "--model"]);
}

#[test]
fn all_models_print_one_row_each_with_the_same_count() {
    let output = run(&["--size", "100000", "--threads", "3", "--model", "all"]);
    assert!(output.succeeded(), "{}", output.stderr);
    let stdout = &output.stdout;
    let rows: Vec<Vec<&str>> = stdout
        .lines()
        .skip_while(|line| !line.starts_with("model"))
        .skip(1)
        .take_while(|line| !line.is_empty())
        .map(|line| line.split_whitespace().collect())
        .collect();
    let names: Vec<&str> = rows.iter().map(|row| row[0]).collect();
    assert_eq!(
        names,
        [
            "sequential",
            "scoped-threads",
            "channel-pipeline",
            "rayon",
            "tokio-current-thread",
            "tokio-multi-thread",
            "tokio-spawn-blocking",
            "processes",
            "zeromq-push-pull",
            "tarpc-workers",
            "mpi-reduce"
        ],
        "{stdout}"
    );
    assert!(rows.iter().all(|row| row[2] == "9592"), "{stdout}");
    assert!(
        stdout.contains("every model found the sequential count, 9592"),
        "{stdout}"
    );
}

#[test]
fn one_model_prints_one_row() {
    let output = run(&["--size", "30000", "--model", "processes"]);
    assert!(output.succeeded(), "{}", output.stderr);
    assert_eq!(
        output.rows_starting_with("processes").len(),
        1,
        "{}",
        output.stdout
    );
    assert_eq!(
        output.rows_starting_with("rayon").len(),
        0,
        "{}",
        output.stdout
    );
}

/// The program with nothing on `PATH`: no `mpirun` to find.
fn without_mpirun(args: &[&str]) -> Ran {
    let empty = std::env::temp_dir().join(format!(
        "ch32-no-mpirun-{}-{}",
        std::process::id(),
        args.join("-")
    ));
    std::fs::create_dir_all(&empty).expect("a scratch folder");
    let mut command = std::process::Command::new(BINARY);
    command
        .env("PATH", &empty)
        .env_remove("OMPI_COMM_WORLD_SIZE")
        .args(args);
    let ran = cli::run_command(command);
    std::fs::remove_dir(&empty).ok();
    ran
}

#[test]
fn without_mpirun_the_mpi_row_says_so_and_the_rest_run() {
    let ran = without_mpirun(&["--size", "30000", "--model", "all"]);
    assert!(ran.succeeded(), "{}", ran.stderr);
    let row = ran.rows_starting_with("mpi-reduce");
    assert_eq!(row.len(), 1, "{}", ran.stdout);
    assert!(
        row[0].contains("not run: `mpirun` was not found"),
        "{}",
        row[0]
    );
    assert!(row[0].contains("Open MPI"), "{}", row[0]);
    assert_eq!(ran.rows_starting_with("zeromq-push-pull").len(), 1);
    assert!(
        ran.stdout
            .contains("every model run found the sequential count"),
        "{}",
        ran.stdout
    );
}

#[test]
fn without_mpirun_asking_for_mpi_is_an_error() {
    let ran = without_mpirun(&["--size", "30000", "--model", "mpi-reduce"]);
    assert_eq!(ran.code, Some(1), "{}", ran.stdout);
    assert!(
        ran.stderr
            .contains("cannot run mpi-reduce: `mpirun` was not found"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
}

#[test]
fn a_worker_given_a_bad_job_says_so_and_fails() {
    let mut command = std::process::Command::new(BINARY);
    command.arg("--worker").stdin(std::process::Stdio::null());
    let ran = cli::run_command(command);
    assert!(!ran.succeeded());
    assert!(ran.stderr.contains("not a job"), "{}", ran.stderr);
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
}

#[test]
fn bad_arguments_get_clap_usage_and_exit_two() {
    cli::assert_refused(
        BINARY,
        &[
            &["--size", "1"],
            &["--size", "100000001"],
            &["--size", "many"],
            &["--threads", "0"],
            &["--threads", "65"],
            &["--threads"],
            &["--model", "fibers"],
            &["--model"],
            &["--cores", "2"],
        ],
    );
}
