//! Chapter 9's exercise: fan in, in order.
//!
//! Write `in_job_order`: the chapter's fan-out and fan-in, with the results
//! handed back in the order of the jobs rather than the order the workers
//! finish them. Check it with `cargo exercise ch09`.

/// Each job's `work(job)` (in the chapter, `ch09_channels::collatz_steps`),
/// computed by `workers` threads that take jobs from one shared crossbeam
/// channel (zero workers count as one), returned as `(job, result)` in the
/// order of `jobs`.
pub fn in_job_order(
    jobs: &[u64],
    workers: usize,
    work: impl Fn(u64) -> u64 + Sync,
) -> Vec<(u64, u64)> {
    // Your code here: number the jobs on the way out, and keep the results
    // that arrive early until every result before them is in.
    todo!()
}
