//! The OpenMP constructs a C or C++ programmer reaches for first, each written
//! twice: as the plain sequential loop (module [`serial`]) and with rayon (the
//! functions at the top level). Every pair must give the same answer; the
//! tests check that on pools of many sizes, and `main` times them.

use rayon::prelude::*;

/// What every row works on: the numbers `1..=size`, their Collatz step
/// counts, and the height of a triangle of uneven rows.
pub struct Inputs {
    pub numbers: Vec<u64>,
    pub steps: Vec<u64>,
    pub rows: usize,
}

impl Inputs {
    pub fn new(size: usize) -> Self {
        let numbers: Vec<u64> = (1..=size as u64).collect();
        let steps = numbers.iter().map(|&n| collatz_steps(n)).collect();
        // The triangle does about as much work as the Collatz rows.
        let rows = (size as f64 * 400.0).sqrt() as usize;
        Inputs {
            numbers,
            steps,
            rows,
        }
    }
}

/// Steps the Collatz sequence takes from `n` down to 1. Some numbers take a
/// handful, some hundreds: the work per element is uneven, as in real loops.
pub fn collatz_steps(mut n: u64) -> u64 {
    let mut steps = 0;
    while n > 1 {
        n = if n.is_multiple_of(2) {
            n / 2
        } else {
            3 * n + 1
        };
        steps += 1;
    }
    steps
}

/// Row `i` of the triangle costs `i` units of work, so the last rows are the
/// expensive ones: the case where how a loop is cut up matters.
pub fn triangle_row(i: usize) -> u64 {
    let i = i as u64;
    (0..i).fold(0, |sum, j| {
        sum.wrapping_add((i ^ j).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60)
    })
}

/// The histogram's bins: Collatz step counts in bands of 50, the last open.
pub const BINS: usize = 8;

fn bin(steps: u64) -> usize {
    (steps / 50).min(BINS as u64 - 1) as usize
}

// ANCHOR: parallel_for
/// `#pragma omp parallel for` over `out[i] = f(in[i])`: every element is
/// independent, so rayon may hand any of them to any thread.
pub fn parallel_for(input: &[u64], out: &mut [u64]) {
    out.par_iter_mut()
        .zip(input)
        .for_each(|(out, &n)| *out = collatz_steps(n));
}
// ANCHOR_END: parallel_for

// ANCHOR: reduction
/// `reduction(+:total)`: each thread sums its share, then the partial sums
/// are added. Integers make the answer exact whatever the grouping.
pub fn reduction(input: &[u64]) -> u64 {
    input.par_iter().map(|&n| collatz_steps(n)).sum()
}
// ANCHOR_END: reduction

// ANCHOR: schedule
/// `schedule(static)`: one contiguous block per thread, fixed before the
/// loop starts. `par_chunks_mut` with one chunk per thread does the same.
pub fn schedule_static(rows: usize) -> Vec<u64> {
    let mut out = vec![0; rows];
    let block = rows.div_ceil(rayon::current_num_threads()).max(1);
    out.par_chunks_mut(block)
        .enumerate()
        .for_each(|(b, chunk)| {
            for (k, out) in chunk.iter_mut().enumerate() {
                *out = triangle_row(b * block + k);
            }
        });
    out
}

/// `schedule(dynamic)`: rayon's default. The range is split in halves on
/// demand and an idle thread steals a half from a busy one.
pub fn schedule_dynamic(rows: usize) -> Vec<u64> {
    (0..rows).into_par_iter().map(triangle_row).collect()
}
// ANCHOR_END: schedule

// ANCHOR: tasks
/// Below this many elements a task does its share in a plain loop: a task
/// costs far more than one Collatz count.
pub const TASK_CUTOFF: usize = 4096;

/// `#pragma omp task` twice, then `#pragma omp taskwait`: `rayon::join`
/// runs both halves, possibly in parallel, and returns when both are done.
pub fn tasks(input: &[u64]) -> u64 {
    if input.len() <= TASK_CUTOFF {
        return serial::reduction(input);
    }
    let (left, right) = input.split_at(input.len() / 2);
    let (a, b) = rayon::join(|| tasks(left), || tasks(right));
    a + b
}
// ANCHOR_END: tasks

// ANCHOR: join_cost
/// `n` joins of two closures that do nothing: the cost of a join itself.
pub fn empty_joins(n: usize) {
    for _ in 0..n {
        rayon::join(|| (), || ());
    }
}

/// [`tasks`] with a cut-off of one element: a join for every element,
/// `input.len() - 1` joins in all, each around a single addition.
pub fn sum_joining_every_element(input: &[u64]) -> u64 {
    match input {
        [] => 0,
        [x] => *x,
        _ => {
            let (left, right) = input.split_at(input.len() / 2);
            let (a, b) = rayon::join(
                || sum_joining_every_element(left),
                || sum_joining_every_element(right),
            );
            a + b
        }
    }
}
// ANCHOR_END: join_cost

/// Three summaries of the step counts: the longest, the total, and how many
/// took more than 100 steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub longest: u64,
    pub total: u64,
    pub over_100: u64,
}

// ANCHOR: sections
/// `#pragma omp sections`, one `section` per summary: different work, run
/// side by side. `rayon::scope` returns when every spawned task has finished,
/// so the tasks may borrow the locals they fill in.
pub fn sections(steps: &[u64]) -> Summary {
    let (mut longest, mut total, mut over_100) = (0, 0, 0);
    rayon::scope(|s| {
        s.spawn(|_| longest = steps.iter().copied().max().unwrap_or(0));
        s.spawn(|_| total = steps.iter().sum());
        s.spawn(|_| {
            over_100 = steps.iter().filter(|&&s| s > 100).count() as u64
        });
    });
    Summary {
        longest,
        total,
        over_100,
    }
}
// ANCHOR_END: sections

// ANCHOR: atomic
/// `#pragma omp atomic` on `histogram[bin]++` inside a parallel for. rayon
/// needs no atomics here: each task counts into a histogram of its own
/// (`fold`), and the private histograms are added at the end (`reduce`).
pub fn histogram(steps: &[u64]) -> [u64; BINS] {
    steps
        .par_iter()
        .fold(
            || [0; BINS],
            |mut histogram, &s| {
                histogram[bin(s)] += 1;
                histogram
            },
        )
        .reduce(
            || [0; BINS],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
                a
            },
        )
}
// ANCHOR_END: atomic

// ANCHOR: barrier
/// Two loops in one `#pragma omp parallel` region, with the barrier between
/// them: nobody may scale before the maximum is known. In rayon each loop is
/// a call that returns only when all its work is done; the return is the
/// barrier.
pub fn barrier(steps: &[u64]) -> Vec<u64> {
    let longest = steps.par_iter().copied().max().unwrap_or(0).max(1);
    // -- barrier: every thread's part of the maximum is in --
    steps.par_iter().map(|&s| s * 100 / longest).collect()
}
// ANCHOR_END: barrier

/// The same computations as the plain loops an OpenMP program starts from.
pub mod serial {
    use super::{BINS, Summary, bin, collatz_steps, triangle_row};

    pub fn parallel_for(input: &[u64], out: &mut [u64]) {
        for (out, &n) in out.iter_mut().zip(input) {
            *out = collatz_steps(n);
        }
    }

    pub fn reduction(input: &[u64]) -> u64 {
        input.iter().map(|&n| collatz_steps(n)).sum()
    }

    pub fn triangle(rows: usize) -> Vec<u64> {
        (0..rows).map(triangle_row).collect()
    }

    pub fn summary(steps: &[u64]) -> Summary {
        Summary {
            longest: steps.iter().copied().max().unwrap_or(0),
            total: steps.iter().sum(),
            over_100: steps.iter().filter(|&&s| s > 100).count() as u64,
        }
    }

    pub fn histogram(steps: &[u64]) -> [u64; BINS] {
        let mut histogram = [0; BINS];
        for &s in steps {
            histogram[bin(s)] += 1;
        }
        histogram
    }

    pub fn barrier(steps: &[u64]) -> Vec<u64> {
        let longest = steps.iter().copied().max().unwrap_or(0).max(1);
        steps.iter().map(|&s| s * 100 / longest).collect()
    }
}

/// An answer in one comparable shape, whatever the row computes.
pub type Answer = Vec<u64>;

/// One row of the OpenMP-to-rayon table: the construct, the rayon call that
/// replaces it, and both versions as functions of the shared inputs.
pub struct Row {
    pub openmp: &'static str,
    pub rayon: &'static str,
    pub serial: fn(&Inputs) -> Answer,
    pub parallel: fn(&Inputs) -> Answer,
}

fn summary_answer(s: Summary) -> Answer {
    vec![s.longest, s.total, s.over_100]
}

/// The table, in the order the chapter discusses it.
pub const ROWS: [Row; 8] = [
    Row {
        openmp: "parallel for",
        rayon: "par_iter_mut().for_each",
        serial: |i| {
            let mut out = vec![0; i.numbers.len()];
            serial::parallel_for(&i.numbers, &mut out);
            out
        },
        parallel: |i| {
            let mut out = vec![0; i.numbers.len()];
            parallel_for(&i.numbers, &mut out);
            out
        },
    },
    Row {
        openmp: "reduction(+:total)",
        rayon: "par_iter().map().sum()",
        serial: |i| vec![serial::reduction(&i.numbers)],
        parallel: |i| vec![reduction(&i.numbers)],
    },
    Row {
        openmp: "schedule(static)",
        rayon: "par_chunks_mut(n / threads)",
        serial: |i| serial::triangle(i.rows),
        parallel: |i| schedule_static(i.rows),
    },
    Row {
        openmp: "schedule(dynamic)",
        rayon: "into_par_iter() (stealing)",
        serial: |i| serial::triangle(i.rows),
        parallel: |i| schedule_dynamic(i.rows),
    },
    Row {
        openmp: "task + taskwait",
        rayon: "rayon::join",
        serial: |i| vec![serial::reduction(&i.numbers)],
        parallel: |i| vec![tasks(&i.numbers)],
    },
    Row {
        openmp: "sections",
        rayon: "rayon::scope + spawn",
        serial: |i| summary_answer(serial::summary(&i.steps)),
        parallel: |i| summary_answer(sections(&i.steps)),
    },
    Row {
        openmp: "atomic (histogram)",
        rayon: "fold + reduce",
        serial: |i| serial::histogram(&i.steps).to_vec(),
        parallel: |i| histogram(&i.steps).to_vec(),
    },
    Row {
        openmp: "barrier",
        rayon: "two calls in sequence",
        serial: |i| serial::barrier(&i.steps),
        parallel: |i| barrier(&i.steps),
    },
];
