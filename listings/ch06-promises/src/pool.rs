//! A fixed pool of threads; `submit` returns a `Pending` result at once.

use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

use crate::oneshot::{Pending, promise};

type Job = Box<dyn FnOnce() + Send>;

// ANCHOR: pool
pub struct ThreadPool {
    jobs: Option<Sender<Job>>, // None once the pool is shutting down
    workers: Vec<JoinHandle<()>>,
}

impl ThreadPool {
    pub fn new(threads: usize) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        // std's receiver has one owner; the workers share it behind a lock.
        let queue = Arc::new(Mutex::new(queue));
        let workers = (0..threads.max(1))
            .map(|_| {
                let queue = Arc::clone(&queue);
                thread::spawn(move || {
                    loop {
                        // The guard is a temporary: unlocked before the job
                        // runs.
                        let next = queue.lock().expect("not poisoned").recv();
                        let Ok(job) = next else { break }; // pool dropped
                        // A panicking job breaks its own promise, not the
                        // worker: the panic is caught and the loop goes on.
                        let _ = panic::catch_unwind(AssertUnwindSafe(job));
                    }
                })
            })
            .collect();
        ThreadPool {
            jobs: Some(jobs),
            workers,
        }
    }

    /// Queues `work` and returns its result-to-be without waiting.
    pub fn submit<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Pending<T> {
        let (promise, pending) = promise();
        let job: Job = Box::new(move || promise.fulfil(work()));
        self.jobs
            .as_ref()
            .expect("jobs is Some until drop")
            .send(job)
            .expect("the workers outlive the pool's sender");
        pending
    }
}

impl Drop for ThreadPool {
    /// Finishes every queued job, then joins the workers.
    fn drop(&mut self) {
        drop(self.jobs.take()); // closing the queue ends each worker's loop
        for worker in self.workers.drain(..) {
            worker.join().expect("workers catch their jobs' panics");
        }
    }
}
// ANCHOR_END: pool
