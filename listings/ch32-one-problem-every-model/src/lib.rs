//! One problem, every model: chapter 1's prime count, solved once per way of
//! structuring a program that the book taught.
//!
//! Every model counts the same blocks of numbers with the same
//! `count_primes_in` from chapter 1; only the structure around that call
//! changes. So any difference in result is a bug in the structure, and any
//! difference in time is what the structure costs or buys.

use std::io::{self, Read, Write};
use std::ops::Range;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;

pub use ch01_counting_primes::{BLOCK, blocks, count_primes_in};
use rayon::prelude::*;
use tokio::task::{JoinHandle, spawn_blocking};

pub mod crew;
pub mod mpi_reduce;
pub mod rpc;
pub mod zeromq;

pub use mpi_reduce::{mpi_missing, mpi_rank, mpi_reduce};
pub use rpc::{RPC_WORKER, rpc_pool, rpc_worker};
pub use zeromq::{ZEROMQ_WORKER, zeromq, zeromq_worker};

/// The argument that turns the listing's binary into a worker process (see
/// `processes`).
pub const WORKER_FLAG: &str = "--worker";

// ANCHOR: sequential
/// The baseline: one loop over every block on the calling thread.
pub fn sequential(limit: u64) -> u64 {
    blocks(limit).map(count_primes_in).sum()
}
// ANCHOR_END: sequential

// ANCHOR: scoped_threads
/// Each scoped thread owns every `threads`-th block; nothing is shared while
/// they count, and `join` hands each partial count back.
pub fn scoped_threads(limit: u64, threads: usize) -> u64 {
    thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|me| {
                let mine = blocks(limit).skip(me).step_by(threads);
                scope.spawn(move || mine.map(count_primes_in).sum::<u64>())
            })
            .collect();
        let joined = handles.into_iter().map(|handle| handle.join());
        joined
            .map(|count| count.expect("a counting thread panicked"))
            .sum()
    })
}
// ANCHOR_END: scoped_threads

// ANCHOR: channel_pipeline
/// Three stages joined by channels: a source sends blocks, `threads` workers
/// turn blocks into counts, and the calling thread adds the counts up as they
/// arrive.
pub fn channel_pipeline(limit: u64, threads: usize) -> u64 {
    // A bounded queue: the source can run at most a few blocks ahead of the
    // workers.
    let (send_block, receive_block) =
        crossbeam_channel::bounded::<Range<u64>>(2 * threads);
    let (send_count, receive_count) = crossbeam_channel::unbounded::<u64>();
    thread::scope(|scope| {
        scope.spawn(move || {
            blocks(limit).try_for_each(|block| send_block.send(block))
        });
        for _ in 0..threads {
            let (blocks_in, counts_out) =
                (receive_block.clone(), send_count.clone());
            scope.spawn(move || {
                for block in blocks_in {
                    counts_out
                        .send(count_primes_in(block))
                        .expect("the sink hung up");
                }
            });
        }
        // Drop the originals so the sink's loop ends when the last worker is
        // done.
        drop((receive_block, send_count));
        receive_count.iter().sum()
    })
}
// ANCHOR_END: channel_pipeline

// ANCHOR: rayon
/// A rayon pool of `threads` threads splits the blocks and steals work as it
/// goes.
pub fn rayon(limit: u64, threads: usize) -> u64 {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
    let pool = pool.expect("could not start the rayon pool");
    let work: Vec<Range<u64>> = blocks(limit).collect();
    pool.install(|| work.into_par_iter().map(count_primes_in).sum())
}
// ANCHOR_END: rayon

// ANCHOR: tokio_tasks
/// The async program both task-based runtimes below run: one task per block. It
/// says nothing about threads; the runtime decides that.
async fn one_task_per_block(limit: u64) -> u64 {
    let tasks = blocks(limit)
        .map(|block| tokio::spawn(async move { count_primes_in(block) }));
    add_up(tasks.collect()).await
}

// ANCHOR: add_up
/// Awaits every task in turn and adds up what they return.
async fn add_up(tasks: Vec<JoinHandle<u64>>) -> u64 {
    let mut total = 0;
    for task in tasks {
        total += task.await.expect("a counting task panicked");
    }
    total
}
// ANCHOR_END: add_up
// ANCHOR_END: tokio_tasks

// ANCHOR: tokio_current_thread
/// On a current-thread runtime the tasks are concurrent, but every one of them
/// computes on the one thread, so nothing runs in parallel.
pub fn tokio_current_thread(limit: u64) -> u64 {
    let runtime = tokio::runtime::Builder::new_current_thread().build();
    let runtime = runtime.expect("could not start the tokio runtime");
    runtime.block_on(one_task_per_block(limit))
}
// ANCHOR_END: tokio_current_thread

// ANCHOR: tokio_multi_thread
/// The same program on a multi-thread runtime with `threads` workers: the tasks
/// now run in parallel, but each one holds a worker for its whole computation.
pub fn tokio_multi_thread(limit: u64, threads: usize) -> u64 {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .build();
    let runtime = runtime.expect("could not start the tokio runtime");
    runtime.block_on(one_task_per_block(limit))
}
// ANCHOR_END: tokio_multi_thread

// ANCHOR: tokio_spawn_blocking
/// The runtime keeps its one thread for async work and hands each block to
/// `spawn_blocking`, whose pool of at most `threads` threads does the
/// computing.
pub fn tokio_spawn_blocking(limit: u64, threads: usize) -> u64 {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .max_blocking_threads(threads)
        .build();
    let runtime = runtime.expect("could not start the tokio runtime");
    let tasks = blocks(limit)
        .map(|block| spawn_blocking(move || count_primes_in(block)));
    // `spawn_blocking` needs a runtime to hand the work to, so the tasks start
    // inside it.
    runtime.block_on(async { add_up(tasks.collect()).await })
}
// ANCHOR_END: tokio_spawn_blocking

// ANCHOR: processes
/// `workers` child processes of `program` (this listing's own binary, started
/// with `--worker`). Each gets one line on stdin, `limit workers me`, counts
/// its share of the blocks and writes the count on stdout: the pipes are all
/// the processes share.
pub fn processes(
    program: &Path,
    limit: u64,
    workers: usize,
) -> io::Result<u64> {
    let mut children = Vec::new();
    for me in 0..workers {
        let mut child = Command::new(program)
            .arg(WORKER_FLAG)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let mut job = child.stdin.take().expect("stdin was piped");
        writeln!(job, "{limit} {workers} {me}")?;
        // Dropping the pipe closes it: the worker reads to the end, so it must
        // see one.
        drop(job);
        children.push(child);
    }
    let mut total = 0;
    for child in children {
        let output = child.wait_with_output()?;
        if !output.status.success() {
            return Err(io::Error::other(format!(
                "a worker {}",
                output.status
            )));
        }
        let answer = String::from_utf8_lossy(&output.stdout);
        total += answer.trim().parse::<u64>().map_err(io::Error::other)?;
    }
    Ok(total)
}

/// The worker's side: read `limit workers me`, count that share, write the
/// count.
pub fn serve_as_worker(
    mut input: impl Read,
    mut output: impl Write,
) -> io::Result<()> {
    let mut job = String::new();
    input.read_to_string(&mut job)?;
    let bad_job = || io::Error::other(format!("not a job: {job:?}"));
    let numbers: Vec<u64> = job
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| bad_job())?;
    let [limit, workers, me] = numbers[..] else {
        return Err(bad_job());
    };
    if workers == 0 || me >= workers {
        return Err(bad_job());
    }
    let mine = blocks(limit).skip(me as usize).step_by(workers as usize);
    writeln!(output, "{}", mine.map(count_primes_in).sum::<u64>())
}
// ANCHOR_END: processes

/// Runs `serve_as_worker` on this process's stdin and stdout.
pub fn worker_main() -> io::Result<()> {
    serve_as_worker(io::stdin().lock(), io::stdout().lock())
}

/// The models, in the order the chapter presents them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    Sequential,
    ScopedThreads,
    ChannelPipeline,
    Rayon,
    TokioCurrentThread,
    TokioMultiThread,
    TokioSpawnBlocking,
    Processes,
    ZeroMq,
    RpcPool,
    MpiReduce,
}

impl Model {
    pub const ALL: [Model; 11] = [
        Model::Sequential,
        Model::ScopedThreads,
        Model::ChannelPipeline,
        Model::Rayon,
        Model::TokioCurrentThread,
        Model::TokioMultiThread,
        Model::TokioSpawnBlocking,
        Model::Processes,
        Model::ZeroMq,
        Model::RpcPool,
        Model::MpiReduce,
    ];

    /// The name on the command line and in the table.
    pub fn name(self) -> &'static str {
        match self {
            Model::Sequential => "sequential",
            Model::ScopedThreads => "scoped-threads",
            Model::ChannelPipeline => "channel-pipeline",
            Model::Rayon => "rayon",
            Model::TokioCurrentThread => "tokio-current-thread",
            Model::TokioMultiThread => "tokio-multi-thread",
            Model::TokioSpawnBlocking => "tokio-spawn-blocking",
            Model::Processes => "processes",
            Model::ZeroMq => "zeromq-push-pull",
            Model::RpcPool => "tarpc-workers",
            Model::MpiReduce => "mpi-reduce",
        }
    }

    /// Whether the model runs inside this process (threads or tasks) rather
    /// than in worker processes it starts.
    pub fn in_process(self) -> bool {
        !matches!(
            self,
            Model::Processes
                | Model::ZeroMq
                | Model::RpcPool
                | Model::MpiReduce
        )
    }

    /// Why the model cannot run on this machine, if it cannot. Only MPI needs
    /// something the book's build does not bring: Open MPI's `mpirun`.
    pub fn missing(self) -> Option<String> {
        match self {
            Model::MpiReduce => mpi_missing(),
            _ => None,
        }
    }

    /// The anchor in this file that holds the model's code.
    fn anchor(self) -> &'static str {
        match self {
            Model::Sequential => "sequential",
            Model::ScopedThreads => "scoped_threads",
            Model::ChannelPipeline => "channel_pipeline",
            Model::Rayon => "rayon",
            Model::TokioCurrentThread => "tokio_current_thread",
            Model::TokioMultiThread => "tokio_multi_thread",
            Model::TokioSpawnBlocking => "tokio_spawn_blocking",
            Model::Processes => "processes",
            Model::ZeroMq => "zeromq",
            Model::RpcPool => "rpc_pool",
            Model::MpiReduce => "mpi_reduce",
        }
    }

    /// The source file that holds the model's anchored code.
    fn source(self) -> &'static str {
        match self {
            Model::ZeroMq => include_str!("zeromq.rs"),
            Model::RpcPool => include_str!("rpc.rs"),
            Model::MpiReduce => include_str!("mpi_reduce.rs"),
            _ => include_str!("lib.rs"),
        }
    }

    /// How many lines of code the model takes in this file: the lines between
    /// its anchors that are neither blank nor comments. Counted from the
    /// source itself, so the table cannot drift from the code the chapter
    /// shows.
    pub fn lines_of_code(self) -> usize {
        let source = include_str!("lib.rs");
        let own = lines_between_anchors(self.source(), self.anchor());
        // The two task-based runtimes run the same async functions, so they
        // count for both.
        match self {
            Model::TokioCurrentThread | Model::TokioMultiThread => {
                own + lines_between_anchors(source, "tokio_tasks")
            }
            // It awaits its blocking tasks with the shared `add_up` (five
            // lines).
            Model::TokioSpawnBlocking => {
                own + lines_between_anchors(source, "add_up")
            }
            _ => own,
        }
    }

    /// Counts the primes below `limit` this model's way, on `threads` threads
    /// (or processes); `program` is the binary the process models start.
    pub fn count(
        self,
        program: &Path,
        limit: u64,
        threads: usize,
    ) -> anyhow::Result<u64> {
        Ok(match self {
            Model::Sequential => sequential(limit),
            Model::ScopedThreads => scoped_threads(limit, threads),
            Model::ChannelPipeline => channel_pipeline(limit, threads),
            Model::Rayon => rayon(limit, threads),
            Model::TokioCurrentThread => tokio_current_thread(limit),
            Model::TokioMultiThread => tokio_multi_thread(limit, threads),
            Model::TokioSpawnBlocking => tokio_spawn_blocking(limit, threads),
            Model::Processes => processes(program, limit, threads)?,
            Model::ZeroMq => zeromq(program, limit, threads)?,
            Model::RpcPool => rpc_pool(program, limit, threads)?,
            Model::MpiReduce => mpi_reduce(program, limit, threads)?,
        })
    }
}

/// The code lines (not blank, not `//` comments) between `// ANCHOR: name` and
/// `// ANCHOR_END: name` in `source`; 0 if the anchor is missing.
pub fn lines_between_anchors(source: &str, name: &str) -> usize {
    let start = format!("// ANCHOR: {name}");
    let end = format!("// ANCHOR_END: {name}");
    source
        .lines()
        .map(str::trim)
        .skip_while(|line| *line != start)
        .skip(1)
        .take_while(|line| *line != end)
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .count()
}
