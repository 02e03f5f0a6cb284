//! The parent's side: start worker processes, hand them jobs, notice the
//! ones that die, and stop and reap all of them at the end.

use std::collections::VecDeque;
use std::io::{self, BufReader};
use std::os::fd::AsFd;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{
    Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio,
};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use crate::frame::{read_frame, write_frame};
use crate::protocol::{Job, Reply, Request};

/// A job that has killed this many workers is not tried again.
const MAX_ATTEMPTS: u32 = 3;

/// What a run of the pool produced.
#[derive(Debug, Default)]
pub struct Outcome {
    pub replies: Vec<Reply>,
    /// Jobs sent again because the worker doing them died.
    pub reruns: usize,
}

// ANCHOR: worker_handle
/// One worker process and the two pipes to it.
struct Worker {
    number: usize,
    child: Child,
    to: ChildStdin,
    from: BufReader<ChildStdout>,
}

impl Worker {
    fn start(exe: &Path, number: usize) -> io::Result<Worker> {
        let mut child = Command::new(exe)
            .arg("worker")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            // A group of its own: Ctrl-C in a terminal signals the whole
            // foreground group, and only the parent should decide when a
            // worker stops.
            .process_group(0)
            .spawn()?;
        let to = child.stdin.take().expect("stdin was piped");
        let from = BufReader::new(child.stdout.take().expect("piped"));
        eprintln!("worker {number} started: pid {}", child.id());
        Ok(Worker {
            number,
            child,
            to,
            from,
        })
    }

    /// Sends `job` and waits for its answer, for at most `deadline` until
    /// the answer starts: a worker that is alive but stuck would otherwise
    /// hold its driver, and the whole pool's shutdown, for ever.
    fn run(&mut self, job: Job, deadline: Duration) -> io::Result<Reply> {
        write_frame(&mut self.to, &Request::Work(job))?;
        if self.from.buffer().is_empty() && !self.answers_within(deadline)? {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no answer within {deadline:?}"),
            ));
        }
        match read_frame::<Reply>(&mut self.from)? {
            Some(reply) if reply.id == job.id => Ok(reply),
            Some(reply) => Err(io::Error::other(format!(
                "answered job {} when asked for job {}",
                reply.id, job.id
            ))),
            None => Err(io::Error::other("closed its pipe")),
        }
    }

    /// Whether the worker's pipe has something to read (or has closed)
    /// before `deadline` passes.
    fn answers_within(&self, deadline: Duration) -> io::Result<bool> {
        let pipe = self.from.get_ref().as_fd();
        let mut fds = [PollFd::new(pipe, PollFlags::POLLIN)];
        let timeout =
            PollTimeout::try_from(deadline).unwrap_or(PollTimeout::MAX);
        loop {
            match poll(&mut fds, timeout) {
                Ok(ready) => return Ok(ready > 0),
                // A signal (the pool's SIGINT or SIGTERM): poll again. The
                // wait starts over, which only lengthens the deadline.
                Err(nix::errno::Errno::EINTR) => continue,
                Err(errno) => return Err(errno.into()),
            }
        }
    }

    /// Ends a worker that failed: kill it in case it is only stuck, then
    /// wait for it so it does not stay behind as a zombie.
    fn bury(mut self) -> io::Result<ExitStatus> {
        self.child.kill().ok(); // it may already be dead
        self.child.wait()
    }

    /// Ends a healthy worker: ask it to stop, close its input, reap it.
    fn stop(self) -> io::Result<ExitStatus> {
        let Worker {
            mut child,
            mut to,
            from,
            ..
        } = self;
        let asked = write_frame(&mut to, &Request::Stop);
        drop((to, from));
        let status = child.wait()?;
        asked.map(|()| status)
    }
}
// ANCHOR_END: worker_handle

// ANCHOR: drive
/// One parent thread per worker process: take a job, send it, wait for the
/// answer; a worker that dies is reaped and replaced, and its job sent again.
fn drive(
    exe: &Path,
    number: usize,
    queue: &Mutex<VecDeque<Job>>,
    stop: &AtomicUsize,
    deadline: Duration,
) -> io::Result<Outcome> {
    let mut outcome = Outcome::default();
    let mut worker = Worker::start(exe, number)?;
    while stop.load(Ordering::Relaxed) == 0 {
        let Some(mut job) = queue.lock().expect("no panics").pop_front() else {
            break;
        };
        let mut attempts = 1;
        loop {
            match worker.run(job, deadline) {
                Ok(reply) => break outcome.replies.push(reply),
                Err(error) if attempts < MAX_ATTEMPTS => {
                    let pid = worker.child.id();
                    let status = worker.bury()?;
                    eprintln!(
                        "worker {number} (pid {pid}) failed during job {} \
                         ({error}; {status}): job sent to a new worker",
                        job.id
                    );
                    worker = Worker::start(exe, number)?;
                    // A crash or a hang is injected only once.
                    (job.crash, job.hang) = (false, false);
                    attempts += 1;
                    outcome.reruns += 1;
                }
                Err(error) => {
                    worker.bury()?;
                    return Err(io::Error::other(format!(
                        "job {} failed {attempts} times: {error}",
                        job.id
                    )));
                }
            }
        }
    }
    let number = worker.number;
    let status = worker.stop()?;
    if !status.success() {
        return Err(io::Error::other(format!("worker {number}: {status}")));
    }
    Ok(outcome)
}
// ANCHOR_END: drive

/// Runs `jobs` on `workers` processes of the program `exe`. When `stop`
/// becomes non-zero no new job is handed out; jobs in flight finish. A
/// worker that has not started to answer a job within `deadline` is killed
/// and replaced, like one that died.
pub fn run(
    exe: &Path,
    workers: usize,
    jobs: Vec<Job>,
    stop: &AtomicUsize,
    deadline: Duration,
) -> io::Result<Outcome> {
    let queue = Mutex::new(VecDeque::from(jobs));
    let results: Vec<io::Result<Outcome>> = thread::scope(|scope| {
        let drivers: Vec<_> = (1..=workers)
            .map(|number| {
                let queue = &queue;
                scope.spawn(move || drive(exe, number, queue, stop, deadline))
            })
            .collect();
        drivers
            .into_iter()
            .map(|driver| driver.join().expect("a driver does not panic"))
            .collect()
    });
    let mut total = Outcome::default();
    for outcome in results {
        let outcome = outcome?;
        total.replies.extend(outcome.replies);
        total.reruns += outcome.reruns;
    }
    total.replies.sort_by_key(|reply| reply.id);
    Ok(total)
}

// ANCHOR: children_left
/// Processes whose parent is this process, found in /proc: after a clean
/// shutdown there are none, not even zombies waiting to be reaped.
pub fn children_left() -> io::Result<usize> {
    let me = std::process::id().to_string();
    let mut children = 0;
    for entry in std::fs::read_dir("/proc")? {
        let path = entry?.path().join("stat");
        // A process may end between listing and reading: skip it.
        let Ok(stat) = std::fs::read_to_string(path) else {
            continue;
        };
        // "pid (name) state ppid ...": the name may hold spaces, so
        // fields are counted after the last ')'.
        let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        if after_name.split_whitespace().nth(1) == Some(me.as_str()) {
            children += 1;
        }
    }
    Ok(children)
}
// ANCHOR_END: children_left
