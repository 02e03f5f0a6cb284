//! The worker processes of the distributed models: copies of this listing's
//! binary, started with a hidden flag, each tied to its parent by a pipe.
//!
//! Peers fail independently, so every wait here has a bound, and a worker
//! that dies turns into an error that names it rather than a run that hangs.

use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};

/// The longest any model waits for one answer from a worker: far more than a
/// block takes, far less than a reader's patience.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// The workers of one run. Dropping the crew kills any that are still alive,
/// so no worker outlives a run that failed.
pub struct Crew {
    children: Vec<Child>,
    /// Each worker's stdin: a worker runs until its parent closes this pipe
    /// (or dies, which closes it too).
    pipes: Vec<ChildStdin>,
}

impl Crew {
    /// Starts `workers` copies of `program` with `args`.
    pub fn start(
        program: &Path,
        workers: usize,
        args: &[&str],
    ) -> Result<Self> {
        let mut crew = Crew {
            children: Vec::new(),
            pipes: Vec::new(),
        };
        for _ in 0..workers {
            let mut child = Command::new(program)
                .args(args)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .with_context(|| {
                    format!("cannot start {}", program.display())
                })?;
            crew.pipes
                .push(child.stdin.take().context("stdin is piped")?);
            crew.children.push(child);
        }
        Ok(crew)
    }

    /// An error if any worker has already ended: called between bounded waits,
    /// it says which worker died and how, instead of only "no answer".
    pub fn check_alive(&mut self) -> Result<()> {
        for (me, child) in self.children.iter_mut().enumerate() {
            if let Some(status) = child.try_wait()? {
                bail!("worker {me} ended ({status}) before the work was done");
            }
        }
        Ok(())
    }

    /// After a failed call: a worker that dropped a connection is usually
    /// dying, so look for a dead one for up to a second and report it, with
    /// `error` as what was seen first; `error` alone if every worker lives.
    pub fn blame(&mut self, error: anyhow::Error) -> anyhow::Error {
        let deadline = Instant::now() + Duration::from_secs(1);
        while Instant::now() < deadline {
            if let Err(dead) = self.check_alive() {
                return dead.context(format!("{error:#}"));
            }
            thread::sleep(Duration::from_millis(10));
        }
        error
    }

    /// The first line each worker prints, in worker order, waiting at most
    /// `PATIENCE` for all of them.
    pub fn first_lines(&mut self) -> Result<Vec<String>> {
        let (send, receive) = mpsc::channel();
        for (me, child) in self.children.iter_mut().enumerate() {
            let stdout = child.stdout.take().context("stdout is piped")?;
            let send = send.clone();
            thread::spawn(move || {
                let mut line = String::new();
                let read = BufReader::new(stdout).read_line(&mut line);
                let _ = send.send((me, read.map(|_| line)));
            });
        }
        let deadline = Instant::now() + PATIENCE;
        let mut lines = vec![String::new(); self.children.len()];
        for _ in 0..lines.len() {
            let left = deadline.saturating_duration_since(Instant::now());
            let (me, line) = receive.recv_timeout(left).map_err(|_| {
                anyhow!("a worker said nothing within {PATIENCE:?}")
            })?;
            let line = line?;
            if line.is_empty() {
                self.check_alive()?;
                bail!("worker {me} closed its output without a word");
            }
            lines[me] = line.trim().to_string();
        }
        Ok(lines)
    }

    /// Closes every worker's pipe, which tells it to stop, and waits a bounded
    /// time for each to exit successfully.
    pub fn finish(mut self) -> Result<()> {
        self.pipes.clear();
        let deadline = Instant::now() + PATIENCE;
        for (me, child) in self.children.iter_mut().enumerate() {
            let status = wait_until(child, deadline)?
                .ok_or_else(|| anyhow!("worker {me} did not stop"))?;
            if !status.success() {
                bail!("worker {me} ended with {status}");
            }
        }
        Ok(())
    }
}

impl Drop for Crew {
    fn drop(&mut self) {
        for child in &mut self.children {
            if matches!(child.try_wait(), Ok(None)) {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

/// Waits for `child` to exit, until `deadline` at most; `None` if it had not
/// (then it has been killed).
pub fn wait_until(
    child: &mut Child,
    deadline: Instant,
) -> io::Result<Option<std::process::ExitStatus>> {
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() > deadline {
            child.kill()?;
            child.wait()?;
            return Ok(None);
        }
        thread::sleep(Duration::from_micros(500));
    }
}

/// The worker's side of the pipe: a thread that reads stdin to its end and
/// then ends the process. The parent closes the pipe when the work is done,
/// and a parent that dies closes it too, so no worker is left behind.
pub fn exit_when_parent_hangs_up() {
    thread::spawn(|| {
        let _ = io::stdin().lock().read_to_end(&mut Vec::new());
        std::process::exit(0);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use book_helpers::process_exists;

    /// A crew of `sh -c script` workers.
    fn crew_of(workers: usize, script: &str) -> Crew {
        Crew::start(Path::new("sh"), workers, &["-c", script])
            .expect("sh starts")
    }

    #[test]
    fn finishing_closes_the_pipes_and_reports_a_worker_that_failed() {
        // Each worker reads its pipe to the end, as the real ones do.
        crew_of(3, "cat > /dev/null").finish().expect("all exit 0");
        let error = crew_of(2, "cat > /dev/null; exit 3")
            .finish()
            .expect_err("the workers fail");
        assert_eq!(error.to_string(), "worker 0 ended with exit status: 3");
    }

    #[test]
    fn dropping_the_crew_kills_the_workers_that_still_run() {
        // Workers that ignore their pipe and would run for a minute.
        let crew = crew_of(2, "sleep 60");
        let pids: Vec<u32> = crew.children.iter().map(Child::id).collect();
        drop(crew);
        // Killed and waited for: not even a zombie is left in /proc.
        for pid in pids {
            assert!(!process_exists(pid), "{pid}");
        }
    }

    #[test]
    fn a_child_that_outlives_its_deadline_is_killed() {
        let mut child = Command::new("sleep").arg("60").spawn().expect("sleep");
        let deadline = Instant::now() + Duration::from_millis(100);
        let status =
            book_helpers::finishes_within(Duration::from_secs(20), move || {
                let status = wait_until(&mut child, deadline).expect("waits");
                (status, child.try_wait().expect("asks"))
            });
        assert_eq!(status.0, None, "reported as not stopped");
        assert!(status.1.is_some(), "and no longer running");
    }
}
