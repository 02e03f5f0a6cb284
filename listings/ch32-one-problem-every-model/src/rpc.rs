//! Chapter 29's tarpc on the prime count: worker processes serve one call,
//! `count_primes_in(first, last)`, and the caller keeps one call in flight per
//! worker, handing out the next block as each answer comes back.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow};
use futures::StreamExt;
use futures::future::{ready, try_join_all};
use tarpc::server::{BaseChannel, Channel};
use tarpc::tokio_serde::formats::Bincode;
use tarpc::{client, context, serde_transport::tcp};

use crate::crew::{Crew, PATIENCE, exit_when_parent_hangs_up};
use crate::{blocks, count_primes_in};

/// The argument that makes the listing's binary an RPC worker.
pub const RPC_WORKER: &str = "--rpc-worker";

// ANCHOR: rpc_pool
/// The contract between caller and workers: a Rust trait (chapter 29).
#[tarpc::service]
pub trait Counter {
    async fn count_primes_in(first: u64, last: u64) -> u64;
}

#[derive(Clone)]
struct Worker;

impl Counter for Worker {
    // The caller sends a worker one block at a time, so computing on the
    // worker's one runtime thread keeps nothing else waiting.
    async fn count_primes_in(
        self,
        _: context::Context,
        first: u64,
        last: u64,
    ) -> u64 {
        count_primes_in(first..last)
    }
}

/// A worker process: serves on a free port of 127.0.0.1, prints the address
/// for its parent, and runs until the parent closes its stdin.
pub fn rpc_worker() -> Result<()> {
    exit_when_parent_hangs_up();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener =
            tcp::listen((Ipv4Addr::LOCALHOST, 0), Bincode::default).await?;
        println!("{}", listener.local_addr());
        let connections =
            listener.filter_map(|connection| ready(connection.ok()));
        connections
            .for_each(|transport| {
                let calls = BaseChannel::with_defaults(transport)
                    .execute(Worker.serve());
                calls.for_each(|call| call)
            })
            .await;
        Ok(())
    })
}

/// The caller: starts `workers` worker processes, connects to each, and keeps
/// one call in flight per worker until every block is counted. One thread
/// does all of it: the caller's side is waiting, and waiting is what async is for.
pub fn rpc_pool(program: &Path, limit: u64, workers: usize) -> Result<u64> {
    let mut crew = Crew::start(program, workers, &[RPC_WORKER])?;
    let addresses = crew.first_lines()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let total = runtime.block_on(async {
        let to_count = Mutex::new(blocks(limit));
        let next = || to_count.lock().expect("never poisoned").next();
        let callers =
            addresses
                .iter()
                .enumerate()
                .map(|(me, address)| async move {
                    let client = connect(address).await?;
                    let mut counted = 0;
                    while let Some(block) = next() {
                        // Every call carries a deadline: a worker that hangs costs
                        // `PATIENCE`, not forever.
                        let mut call = context::current();
                        call.deadline = Instant::now() + PATIENCE;
                        let answer = client.count_primes_in(
                            call,
                            block.start,
                            block.end,
                        );
                        counted += answer
                            .await
                            .with_context(|| format!("worker {me}"))?;
                    }
                    Ok::<u64, anyhow::Error>(counted)
                });
        try_join_all(callers)
            .await
            .map(|counts| counts.iter().sum())
    });
    let total = total.map_err(|error| crew.blame(error))?;
    crew.finish()?;
    Ok(total)
}
// ANCHOR_END: rpc_pool

/// A client of the worker at `address`, connected within a bounded time.
async fn connect(address: &str) -> Result<CounterClient> {
    let address: SocketAddr = address.parse().with_context(|| {
        format!("a worker said {address:?}, not an address")
    })?;
    let transport = tokio::time::timeout(
        Duration::from_secs(3),
        tcp::connect(address, Bincode::default),
    )
    .await
    .map_err(|_| anyhow!("no worker answered at {address} within 3 s"))?
    .with_context(|| format!("cannot reach the worker at {address}"))?;
    Ok(CounterClient::new(client::Config::default(), transport).spawn())
}
