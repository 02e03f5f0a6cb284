//! Every model must find exactly the count of the plain loop, whatever the size
//! and the number of threads; a model that deadlocks fails by timeout instead
//! of hanging.

use std::path::Path;
use std::time::Duration;

use book_helpers::finishes_within;
use ch32_one_problem_every_model::{
    BLOCK, Model, lines_between_anchors, sequential, serve_as_worker,
};

const PROGRAM: &str = env!("CARGO_BIN_EXE_ch32-one-problem-every-model");

/// Sizes around the edges of the work: nothing to count, part of one block,
/// exactly one block, one past it, and several blocks with a ragged end.
const SIZES: [u64; 7] = [2, 3, 100, BLOCK, BLOCK + 1, 5 * BLOCK + 17, 123_457];

fn count(model: Model, limit: u64, threads: usize) -> u64 {
    finishes_within(Duration::from_secs(60), move || {
        model
            .count(Path::new(PROGRAM), limit, threads)
            .unwrap_or_else(|error| panic!("{model:?} failed: {error}"))
    })
}

#[test]
fn the_baseline_knows_the_textbook_counts() {
    assert_eq!(sequential(2), 0);
    assert_eq!(sequential(3), 1);
    assert_eq!(sequential(100), 25);
    assert_eq!(sequential(100_000), 9592);
}

#[test]
fn every_model_matches_the_loop_for_every_size_and_thread_count() {
    for limit in SIZES {
        let expected = sequential(limit);
        for threads in [1, 2, 3, 8] {
            for model in Model::ALL {
                let found = count(model, limit, threads);
                assert_eq!(
                    found, expected,
                    "{model:?}, limit {limit}, {threads} threads"
                );
            }
        }
    }
}

#[test]
fn more_workers_than_blocks_still_count_everything_once() {
    // One block and 16 workers: fifteen of them get nothing and must answer 0.
    for model in Model::ALL {
        assert_eq!(count(model, BLOCK, 16), sequential(BLOCK), "{model:?}");
    }
}

#[test]
fn stress_the_threaded_models_with_varied_inputs() {
    // 200 rounds, each with a different size and thread count, so schedules
    // vary too.
    let (models, started): (Vec<Model>, Vec<Model>) =
        Model::ALL.into_iter().partition(|model| model.in_process());
    // The models that start worker processes are left to the tests above:
    // here every round would start processes.
    assert_eq!(
        started,
        [
            Model::Processes,
            Model::ZeroMq,
            Model::RpcPool,
            Model::MpiReduce
        ]
    );
    for round in 0..200_u64 {
        let limit = 2 + (round * 7_919) % 40_000;
        let threads = 1 + (round % 6) as usize;
        let model = models[round as usize % models.len()];
        let expected = sequential(limit);
        assert_eq!(
            count(model, limit, threads),
            expected,
            "{model:?} {limit} {threads}"
        );
    }
}

#[test]
fn a_worker_counts_its_share_and_refuses_a_bad_job() {
    let mut answer = Vec::new();
    serve_as_worker("100000 1 0\n".as_bytes(), &mut answer)
        .expect("a good job");
    assert_eq!(String::from_utf8(answer).expect("text"), "9592\n");

    let shares: u64 = (0..3)
        .map(|me| {
            let mut answer = Vec::new();
            let job = format!("100000 3 {me}");
            serve_as_worker(job.as_bytes(), &mut answer).expect("a good job");
            String::from_utf8(answer)
                .expect("text")
                .trim()
                .parse::<u64>()
                .expect("a count")
        })
        .sum();
    assert_eq!(shares, 9592);

    for bad in ["", "100000", "100000 0 0", "100000 2 2", "a b c", "1 2 3 4"] {
        let refused = serve_as_worker(bad.as_bytes(), Vec::new());
        assert!(refused.is_err(), "accepted {bad:?}");
    }
}

#[test]
fn a_missing_worker_program_is_an_error_not_a_panic() {
    let missing = Path::new("/nonexistent/ch32-worker");
    assert!(Model::Processes.count(missing, 1000, 2).is_err());
}

/// A worker program that starts the real worker and has it killed `after`
/// seconds: a peer that dies in the middle of the work.
fn dying_worker(after: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let script = std::env::temp_dir()
        .join(format!("ch32-dying-worker-{}-{after}", std::process::id()));
    let text = format!("#!/bin/sh\nexec timeout {after} {PROGRAM} \"$@\"\n");
    std::fs::write(&script, text).expect("a scratch script");
    let executable = std::fs::Permissions::from_mode(0o755);
    std::fs::set_permissions(&script, executable).expect("chmod");
    script
}

#[test]
fn a_worker_that_dies_is_an_error_that_names_it_not_a_hang() {
    // Long enough work that the workers are killed in the middle of it.
    let script = dying_worker("0.5");
    for model in [Model::ZeroMq, Model::RpcPool, Model::MpiReduce] {
        let program = script.clone();
        let outcome = finishes_within(Duration::from_secs(60), move || {
            model
                .count(&program, 30_000_000, 2)
                .map_err(|e| format!("{e:#}"))
        });
        let error = outcome.expect_err("a dead worker must fail the run");
        let expected = match model {
            Model::MpiReduce => "the job of 2 ranks failed",
            // Which worker, and how it ended.
            _ => "ended (",
        };
        assert!(error.contains(expected), "{model:?}: {error}");
    }
    std::fs::remove_file(script).ok();
}

#[test]
fn a_worker_that_is_not_one_is_an_error_at_once() {
    // `false` exits at once: no hello, no address, no rank.
    for model in [Model::ZeroMq, Model::RpcPool, Model::MpiReduce] {
        let outcome = finishes_within(Duration::from_secs(60), move || {
            model
                .count(Path::new("/bin/false"), 1000, 2)
                .map_err(|e| format!("{e:#}"))
        });
        let error = outcome.expect_err("no worker, no count");
        assert!(
            error.contains("worker") || error.contains("failed"),
            "{model:?}: {error}"
        );
    }
}

#[test]
fn line_counts_come_from_the_anchored_source() {
    let source = "// ANCHOR: a\n// why\nfn f() {\n\n    1\n}\n// ANCHOR_END: a\nfn g() {}\n";
    assert_eq!(lines_between_anchors(source, "a"), 3);
    assert_eq!(lines_between_anchors(source, "missing"), 0);
    for model in Model::ALL {
        assert!(model.lines_of_code() > 0, "{model:?} has no anchored code");
    }
    // The plain loop is the shortest; every structure adds code around the same
    // call.
    let shortest = Model::ALL
        .into_iter()
        .min_by_key(|model| model.lines_of_code());
    assert_eq!(shortest, Some(Model::Sequential));
}

#[test]
fn the_shown_table_counts_the_lines_the_code_has_now() {
    // The chapter quotes the `lines` column of the recorded run; a model whose
    // code changed, or a count that adds the wrong shared part, shows here.
    let recorded = include_str!("../output.txt");
    for model in Model::ALL {
        let row = recorded
            .lines()
            .find(|line| line.split_whitespace().next() == Some(model.name()))
            .unwrap_or_else(|| panic!("no row for {}", model.name()));
        let lines: usize = row
            .split_whitespace()
            .nth(1)
            .and_then(|column| column.parse().ok())
            .unwrap_or_else(|| panic!("no line count in {row:?}"));
        assert_eq!(model.lines_of_code(), lines, "{}", model.name());
    }
}
