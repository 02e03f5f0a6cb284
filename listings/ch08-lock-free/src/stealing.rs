//! A tiny work-stealing scheduler: each worker has its own deque, a global
//! injector takes the initial work, and an idle worker steals from others.

use std::iter;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use crossbeam_deque::{Injector, Stealer, Worker};

/// A task: add up the numbers in a range. Large ranges split in two, so
/// work creates more work, as in a recursive parallel algorithm.
pub type Task = Range<u64>;

/// What one worker did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkerReport {
    pub sum: u64,
    pub tasks: usize,
    pub stolen: usize,
}

// ANCHOR: find
/// The next task for a worker: its own deque first, then a batch from the
/// injector, then another worker's deque.
fn find_task(
    local: &Worker<Task>,
    injector: &Injector<Task>,
    stealers: &[Stealer<Task>],
) -> Option<(Task, bool)> {
    local.pop().map(|task| (task, false)).or_else(|| {
        iter::repeat_with(|| {
            injector
                .steal_batch_and_pop(local)
                .or_else(|| stealers.iter().map(|s| s.steal()).collect())
        })
        // `Retry` means a race with another thief: try again.
        .find(|steal| !steal.is_retry())
        .and_then(|steal| steal.success())
        .map(|task| (task, true))
    })
}
// ANCHOR_END: find

// ANCHOR: run
/// Sums `0..n` with `workers` threads, splitting ranges longer than `grain`.
pub fn parallel_sum(n: u64, workers: usize, grain: u64) -> Vec<WorkerReport> {
    let injector = Injector::new();
    injector.push(0..n);
    let pending = AtomicUsize::new(1); // tasks pushed and not yet finished
    let locals: Vec<Worker<Task>> =
        (0..workers).map(|_| Worker::new_lifo()).collect();
    let stealers: Vec<Stealer<Task>> =
        locals.iter().map(Worker::stealer).collect();
    thread::scope(|scope| {
        let handles: Vec<_> = locals
            .into_iter()
            .map(|local| {
                let (injector, stealers, pending) =
                    (&injector, &stealers, &pending);
                scope.spawn(move || {
                    let mut report = WorkerReport::default();
                    while pending.load(Ordering::Acquire) > 0 {
                        let Some((task, stolen)) =
                            find_task(&local, injector, stealers)
                        else {
                            thread::yield_now(); // others still hold work
                            continue;
                        };
                        report.tasks += 1;
                        report.stolen += usize::from(stolen);
                        if task.end - task.start > grain.max(1) {
                            let middle =
                                task.start + (task.end - task.start) / 2;
                            // Two new tasks before this one counts as done.
                            pending.fetch_add(2, Ordering::AcqRel);
                            local.push(task.start..middle);
                            local.push(middle..task.end);
                        } else {
                            report.sum += task.sum::<u64>();
                        }
                        pending.fetch_sub(1, Ordering::AcqRel);
                    }
                    report
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect()
    })
}
// ANCHOR_END: run
