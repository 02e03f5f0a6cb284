//! ROUTER/DEALER: a ROUTER socket knows each peer by name and can address one;
//! that is enough to send each task to a worker that is free instead of to the
//! next in turn.

use std::collections::VecDeque;
use std::thread;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use book_helpers::timed;

use crate::transport::{
    Rendezvous, Transport, bind, context_for, receive, send, socket,
};

/// How long the router waits for a worker before it calls it dead.
const PATIENCE: Duration = Duration::from_secs(10);

/// How the router picks the worker for the next task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Worker 1, 2, 3, 1, 2, 3, …: what PUSH does.
    RoundRobin,
    /// Whichever worker reported free the longest time ago.
    FirstFree,
}

/// What one run of the router did.
#[derive(Debug)]
pub struct Dealt {
    /// Tasks done by worker 1, 2, …
    pub per_worker: Vec<u64>,
    /// Whether each task was done exactly once.
    pub each_task_once: bool,
    /// From the first task sent to the last result back.
    pub took: Duration,
}

/// How long [`run`] would take if messages and wake-ups cost nothing: the
/// length of the schedule alone. In turn, that is the slowest worker's share;
/// first free hands each task to the worker that will be free soonest.
pub fn ideal(
    policy: Policy,
    workers: usize,
    tasks: u64,
    unit: Duration,
) -> Duration {
    let mut free_at = vec![Duration::ZERO; workers];
    for task in 0..tasks {
        let worker = match policy {
            Policy::RoundRobin => {
                usize::try_from(task).unwrap_or(usize::MAX) % workers
            }
            Policy::FirstFree => (0..workers)
                .min_by_key(|&worker| free_at[worker])
                .unwrap_or(0),
        };
        let n = u32::try_from(worker + 1).unwrap_or(u32::MAX);
        free_at[worker] += unit * n;
    }
    free_at.into_iter().max().unwrap_or_default()
}

// ANCHOR: worker
/// A DEALER worker named `worker-<n>`: says `ready`, then answers each `task i`
/// with `done i` after `n × unit` of work, until `stop`.
fn work(
    context: &zmq::Context,
    router_at: &str,
    n: usize,
    unit: Duration,
) -> Result<()> {
    let dealer = socket(context, zmq::DEALER, PATIENCE)?;
    dealer.set_identity(format!("worker-{n}").as_bytes())?;
    dealer.connect(router_at)?;
    send(&dealer, "ready", "ready")?;
    loop {
        let message = receive(&dealer, PATIENCE, "task")?;
        let Some(task) = message.strip_prefix("task ") else {
            return Ok(()); // `stop`
        };
        thread::sleep(unit * u32::try_from(n)?);
        send(&dealer, &format!("done {task}"), "result")?;
    }
}
// ANCHOR_END: worker

// ANCHOR: router
/// Deals `tasks` tasks to `workers` workers of speeds 1, 1/2, 1/3, … by
/// `policy`.
pub fn run(
    policy: Policy,
    workers: usize,
    tasks: u64,
    unit: Duration,
) -> Result<Dealt> {
    let context = context_for(Transport::Inproc)?;
    let rendezvous = Rendezvous::new(Transport::Inproc)?;
    let router = socket(&context, zmq::ROUTER, PATIENCE)?;
    // A task for a worker that is not connected is an error (EHOSTUNREACH),
    // not a message silently dropped, which is ROUTER's default.
    router.set_router_mandatory(true)?;
    let router_at = bind(&router, &rendezvous.address("router"))?;
    let crew: Vec<_> = (1..=workers)
        .map(|n| {
            let (context, router_at) = (context.clone(), router_at.clone());
            thread::spawn(move || work(&context, &router_at, n, unit))
        })
        .collect();

    // A ROUTER receives [sender's identity, message]; it sends to [identity,
    // message].
    let next = |router: &zmq::Socket| -> Result<(Vec<u8>, String)> {
        if router.poll(zmq::POLLIN, PATIENCE.as_millis().try_into()?)? == 0 {
            bail!("no worker answered (one died?)");
        }
        let mut frames = router.recv_multipart(0)?.into_iter();
        let (Some(identity), Some(body)) = (frames.next(), frames.next())
        else {
            bail!("a message without an identity");
        };
        Ok((identity, String::from_utf8(body)?))
    };
    let mut free = VecDeque::new();
    while free.len() < workers {
        free.push_back(next(&router)?.0);
    }
    let names: Vec<Vec<u8>> = (1..=workers)
        .map(|n| format!("worker-{n}").into_bytes())
        .collect();

    let mut done = vec![0_u32; usize::try_from(tasks)?];
    let mut per_worker = vec![0_u64; workers];
    let mut record = |identity: &[u8], body: &str| -> Result<()> {
        let task: usize = body.strip_prefix("done ").unwrap_or(body).parse()?;
        *done
            .get_mut(task)
            .ok_or_else(|| anyhow!("no task {task}"))? += 1;
        let worker = names.iter().position(|name| name == identity);
        per_worker[worker.ok_or_else(|| anyhow!("an unknown worker"))?] += 1;
        Ok(())
    };
    let (dealing, took) = timed(|| -> Result<()> {
        let mut outstanding = 0;
        for task in 0..tasks {
            let worker = match policy {
                Policy::RoundRobin => {
                    names[usize::try_from(task)? % workers].clone()
                }
                Policy::FirstFree => {
                    // No one free: wait for a result, whose sender is free
                    // again.
                    if free.is_empty() {
                        let (identity, body) = next(&router)?;
                        record(&identity, &body)?;
                        outstanding -= 1;
                        free.push_back(identity);
                    }
                    free.pop_front().expect("a free worker")
                }
            };
            router.send_multipart(
                [worker, format!("task {task}").into_bytes()],
                0,
            )?;
            outstanding += 1;
        }
        for _ in 0..outstanding {
            let (identity, body) = next(&router)?;
            record(&identity, &body)?;
        }
        Ok(())
    });
    dealing?;
    // ANCHOR_END: router

    for name in &names {
        router.send_multipart([name.clone(), b"stop".to_vec()], 0)?;
    }
    for worker in crew {
        worker.join().expect("a worker thread does not panic")?;
    }
    Ok(Dealt {
        per_worker,
        each_task_once: done.iter().all(|&count| count == 1),
        took,
    })
}
