//! PUSH/PULL: a ventilator hands out tasks, workers do them, a sink collects
//! the results. Workers are threads for `inproc://`, and processes of this same
//! program for `ipc://` and `tcp://`, which is all that changes between the
//! three.

use std::collections::BTreeMap;
use std::ops::Range;
use std::process::{Child, Command, Stdio};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};

use crate::transport::{
    Rendezvous, Transport, bind, context_for, receive, send, socket,
};

/// How long any side waits for another before it calls it dead.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// The work: the sum of the decimal digits of every number in a range.
pub fn digit_sum(numbers: Range<u64>) -> u64 {
    numbers
        .map(|mut n| {
            let mut sum = 0;
            while n > 0 {
                sum += n % 10;
                n /= 10;
            }
            sum
        })
        .sum()
}

/// The numbers task `task` covers.
pub fn task_range(task: u64, task_size: u64) -> Range<u64> {
    task * task_size..(task + 1) * task_size
}

/// What the sink collected.
#[derive(Debug)]
pub struct Collected {
    /// The sum of every task's result.
    pub total: u64,
    /// Whether each task's result arrived exactly once.
    pub each_task_once: bool,
    /// Results per worker, by worker name (`worker-1`, `worker-2`, …).
    pub per_worker: BTreeMap<String, u64>,
}

// ANCHOR: worker
/// A worker: pulls `task first last` messages, pushes `task worker result`
/// messages, and stops at `stop`. The same function runs in a thread or in a
/// child process. No wait lasts longer than `patience`.
pub fn work(
    context: &zmq::Context,
    name: &str,
    (tasks_at, results_at): (&str, &str),
    patience: Duration,
) -> Result<()> {
    let tasks = context.socket(zmq::PULL)?;
    tasks.connect(tasks_at)?;
    let results = socket(context, zmq::PUSH, patience)?;
    // By default (ZMQ_IMMEDIATE=0) `connect` makes a queue for the sink at
    // once, and a send goes into it whether or not a sink ever answers. With
    // ZMQ_IMMEDIATE=1 messages queue only on completed connections, so the
    // `ready` below waits for a real sink, at most `patience`.
    results.set_immediate(true)?;
    // Unsent results get a second to leave when the worker stops.
    results.set_linger(1_000)?;
    results.connect(results_at)?;
    send(&results, "ready", "ready")
        .with_context(|| format!("no sink at {results_at}"))?;
    loop {
        let task = receive(&tasks, patience, "task")?;
        let fields: Vec<u64> = match task.as_str() {
            "stop" => return Ok(()),
            task => {
                task.split(' ').map(str::parse).collect::<Result<_, _>>()?
            }
        };
        let [id, first, last] = fields[..] else {
            bail!("malformed task {task:?}");
        };
        let result = format!("{id} {name} {}", digit_sum(first..last));
        send(&results, &result, "result")?;
    }
}
// ANCHOR_END: worker

// ANCHOR: ventilator_and_sink
/// Splits `tasks × task_size` numbers into tasks, has `workers` workers do them
/// over `transport`, and sums the results.
pub fn run(
    transport: Transport,
    workers: usize,
    tasks: u64,
    task_size: u64,
) -> Result<Collected> {
    let context = context_for(transport)?;
    let rendezvous = Rendezvous::new(transport)?;
    // A bound PUSH has no queue until a worker connects, and waits for one: the
    // time-out bounds that wait.
    let ventilator = socket(&context, zmq::PUSH, PATIENCE)?;
    let tasks_at = bind(&ventilator, &rendezvous.address("tasks"))?;
    let sink = context.socket(zmq::PULL)?;
    let results_at = bind(&sink, &rendezvous.address("results"))?;
    let crew =
        Crew::start(&context, transport, workers, &tasks_at, &results_at)?;

    // Every worker reports in before the first task goes out: PUSH deals tasks
    // round robin over the workers connected at that moment, and a late one
    // would get none.
    for _ in 0..workers {
        receive(&sink, PATIENCE, "a worker's hello")?;
    }
    for task in 0..tasks {
        let numbers = task_range(task, task_size);
        let message = format!("{task} {} {}", numbers.start, numbers.end);
        send(&ventilator, &message, "task")?;
    }

    let mut seen = vec![0_u32; usize::try_from(tasks)?];
    let mut collected = Collected {
        total: 0,
        each_task_once: true,
        per_worker: BTreeMap::new(),
    };
    for _ in 0..tasks {
        let result = receive(&sink, PATIENCE, "result")?;
        let mut fields = result.split(' ');
        let (Some(task), Some(worker), Some(value)) =
            (fields.next(), fields.next(), fields.next())
        else {
            bail!("malformed result {result:?}");
        };
        let task: usize = task.parse()?;
        *seen
            .get_mut(task)
            .ok_or_else(|| anyhow!("no task {task}"))? += 1;
        *collected.per_worker.entry(worker.to_string()).or_default() += 1;
        collected.total += value.parse::<u64>()?;
    }
    collected.each_task_once = seen.iter().all(|&count| count == 1);

    // One `stop` each: round robin over live workers gives every worker one.
    for _ in 0..workers {
        send(&ventilator, "stop", "stop")?;
    }
    crew.finish()?;
    Ok(collected)
}
// ANCHOR_END: ventilator_and_sink

/// The workers of one run.
enum Crew {
    Threads(Vec<JoinHandle<Result<()>>>),
    Processes(Vec<Child>),
}

impl Crew {
    // ANCHOR: crew
    fn start(
        context: &zmq::Context,
        transport: Transport,
        workers: usize,
        tasks_at: &str,
        results_at: &str,
    ) -> Result<Self> {
        let names = (1..=workers).map(|n| format!("worker-{n}"));
        if transport == Transport::Inproc {
            // inproc:// only reaches sockets of the same context: threads it
            // is.
            let threads = names.map(|name| {
                let (context, tasks_at, results_at) = (
                    context.clone(),
                    tasks_at.to_string(),
                    results_at.to_string(),
                );
                thread::spawn(move || {
                    work(&context, &name, (&tasks_at, &results_at), PATIENCE)
                })
            });
            return Ok(Crew::Threads(threads.collect()));
        }
        // Anything else reaches other processes: start this program again as a
        // worker.
        let program =
            std::env::current_exe().context("cannot find this program")?;
        let children = names.map(|name| {
            Command::new(&program)
                .args(["worker", "--name", &name, "--tasks-at", tasks_at])
                .args(["--results-at", results_at])
                .stdin(Stdio::null())
                .spawn()
                .with_context(|| format!("cannot start {}", program.display()))
        });
        Ok(Crew::Processes(children.collect::<Result<_>>()?))
    }
    // ANCHOR_END: crew

    /// Waits for every worker to stop, at most `PATIENCE` for processes.
    fn finish(self) -> Result<()> {
        self.finish_within(PATIENCE)
    }

    fn finish_within(mut self, patience: Duration) -> Result<()> {
        match &mut self {
            Crew::Threads(threads) => {
                for thread in threads.drain(..) {
                    thread.join().expect("a worker thread does not panic")?;
                }
            }
            Crew::Processes(children) => {
                let deadline = Instant::now() + patience;
                for child in children {
                    loop {
                        if let Some(status) = child.try_wait()? {
                            if !status.success() {
                                bail!("a worker process ended with {status}");
                            }
                            break;
                        }
                        if Instant::now() > deadline {
                            child.kill()?;
                            child.wait()?;
                            bail!("a worker process did not stop");
                        }
                        thread::sleep(Duration::from_millis(5));
                    }
                }
            }
        }
        Ok(())
    }
}

impl Drop for Crew {
    fn drop(&mut self) {
        // After an error, no worker process outlives the run.
        if let Crew::Processes(children) = self {
            for child in children {
                if matches!(child.try_wait(), Ok(None)) {
                    let _ = child.kill();
                    let _ = child.wait();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use book_helpers::process_exists;

    /// Worker processes that are `sh` scripts, not this program.
    fn crew_of(scripts: &[&str]) -> Crew {
        let spawn = |script: &&str| {
            Command::new("sh").args(["-c", script]).spawn().unwrap()
        };
        Crew::Processes(scripts.iter().map(spawn).collect())
    }

    #[test]
    fn finishing_names_a_failed_worker_and_kills_a_hung_one() {
        crew_of(&["exit 0", "exit 0"]).finish().unwrap();
        let failed = crew_of(&["exit 0", "exit 3"]).finish().unwrap_err();
        assert!(failed.to_string().contains("exit status: 3"), "{failed}");
        let hung = crew_of(&["exec sleep 30"]);
        let Crew::Processes(children) = &hung else {
            unreachable!()
        };
        let pid = children[0].id();
        let patience = Duration::from_millis(300);
        let started = Instant::now();
        let error = hung.finish_within(patience).unwrap_err();
        assert!(error.to_string().contains("did not stop"), "{error}");
        assert!(started.elapsed() >= patience);
        assert!(!process_exists(pid), "the hung worker {pid} still runs");
    }

    #[test]
    fn a_dropped_crew_leaves_no_worker_running() {
        let crew = crew_of(&["exec sleep 30", "exec sleep 30"]);
        let Crew::Processes(children) = &crew else {
            unreachable!()
        };
        let pids: Vec<u32> = children.iter().map(Child::id).collect();
        drop(crew);
        assert!(!pids.iter().any(|&pid| process_exists(pid)), "{pids:?}");
    }

    #[test]
    fn digit_sums_by_hand_and_by_counting_digits() {
        assert_eq!(digit_sum(12_345..12_346), 15);
        assert_eq!(digit_sum(0..1), 0);
        // Below 10^k every digit 0..=9 appears 10^(k-1) times in each of
        // the k places, and 0 + 1 + … + 9 = 45.
        for k in 1..=4u32 {
            let expected = u64::from(k) * 10u64.pow(k - 1) * 45;
            assert_eq!(digit_sum(0..10u64.pow(k)), expected, "below 10^{k}");
        }
    }
}
