//! However the worker waits, both tasks finish all their work: blocking costs
//! latency, not correctness. How long the gaps are is the chapter's
//! measurement; what is certain of them — a blocked current-thread runtime
//! misses the heartbeat for the whole of the work — is tested.

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
            if matches!(waiting, Waiting::BlockInTask) {
                // The chapter's claim: the one thread sleeps through every
                // piece without reaching an `.await`, so the heartbeat misses
                // the whole of the work. A lower bound, so no timing noise
                // can break it.
                assert!(
                    report.longest_gap >= 2 * PIECE,
                    "the heartbeat beat while the thread was blocked: \
                     {report:?}"
                );
            }
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
