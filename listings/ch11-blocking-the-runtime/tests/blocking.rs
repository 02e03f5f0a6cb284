//! However the worker waits, both tasks finish all their work: blocking costs
//! latency, not correctness. (How long the gaps are is the chapter's
//! measurement, not a test.)

use std::time::Duration;

use book_helpers::finishes_within;
use ch11_blocking_the_runtime::{
    PERIOD, PIECE, Waiting, current_thread, multi_thread, run,
};

const ALL: [Waiting; 3] =
    [Waiting::Await, Waiting::BlockInTask, Waiting::SpawnBlocking];

#[test]
fn every_tick_and_every_piece_happens_on_a_current_thread_runtime() {
    finishes_within(Duration::from_secs(60), || {
        let runtime = current_thread().expect("a runtime");
        for waiting in ALL {
            let report = run(&runtime, 2, waiting);
            let ticks = 2 * (PIECE.as_millis() / PERIOD.as_millis()) as u32;
            assert_eq!(report.ticks, ticks, "{waiting:?}");
            assert_eq!(report.pieces_done, 2, "{waiting:?}");
            // The gap is at least one period whatever happens: ticks never come
            // early.
            assert!(
                report.longest_gap >= PERIOD / 2,
                "{waiting:?}: {report:?}"
            );
        }
    });
}

#[test]
fn stress_runs_on_pools_of_every_size_finish_all_work() {
    finishes_within(Duration::from_secs(120), || {
        for iteration in 0..40 {
            let workers = 1 + iteration % 4;
            let runtime = multi_thread(workers).expect("a runtime");
            let waiting = ALL[iteration % ALL.len()];
            let report = run(&runtime, 1, waiting);
            assert_eq!(report.pieces_done, 1, "{iteration}: {waiting:?}");
            assert_eq!(report.ticks, 5, "{iteration}: {waiting:?}");
        }
    });
}
