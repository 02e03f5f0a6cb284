//! Chapter 9's exercise, solved: fan in, in order.

use std::collections::BTreeMap;
use std::thread;

use crossbeam_channel::{bounded, unbounded};

// ANCHOR: in_order
/// Jobs go out numbered; results come back with their number, in whatever
/// order the workers finish, and wait in a reorder buffer until every
/// result before them is in.
pub fn in_job_order(
    jobs: &[u64],
    workers: usize,
    work: impl Fn(u64) -> u64 + Sync,
) -> Vec<(u64, u64)> {
    let workers = workers.max(1);
    let (job_tx, job_rx) = bounded::<(usize, u64)>(workers * 2);
    let (result_tx, result_rx) = unbounded();
    thread::scope(|scope| {
        for _ in 0..workers {
            let (job_rx, result_tx) = (job_rx.clone(), result_tx.clone());
            let work = &work;
            scope.spawn(move || {
                for (index, job) in job_rx {
                    let result = (job, work(job));
                    if result_tx.send((index, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop((job_rx, result_tx)); // only the workers hold these now
        scope.spawn(move || {
            for numbered in jobs.iter().copied().enumerate() {
                if job_tx.send(numbered).is_err() {
                    break;
                }
            }
        });
        let mut early = BTreeMap::new();
        let mut in_order = Vec::with_capacity(jobs.len());
        // Ends when the last worker drops its sender.
        for (index, result) in result_rx {
            early.insert(index, result);
            while let Some(next) = early.remove(&in_order.len()) {
                in_order.push(next);
            }
        }
        in_order
    })
}
// ANCHOR_END: in_order
