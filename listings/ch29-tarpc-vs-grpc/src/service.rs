//! The gRPC chapter's service as a Rust trait: no `.proto`, no build script, no
//! generated files to read — the trait *is* the contract, and both sides must
//! be Rust.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ch28_grpc_tonic::is_prime;
pub use ch28_grpc_tonic::server::Nagle;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use tarpc::client;
use tarpc::context::Context;
use tarpc::serde_transport::Transport;
use tarpc::server::{BaseChannel, Channel};
use tarpc::tokio_serde::formats::Bincode;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

// ANCHOR: trait
/// The service. tarpc has no streams: where gRPC streamed, these calls take or
/// return a whole `Vec`, and there is no running total.
#[tarpc::service]
pub trait Numbers {
    async fn is_prime(value: u64) -> Result<bool, Refused>;
    async fn primes_below(limit: u64) -> Result<Vec<u64>, Refused>;
    async fn sum(numbers: Vec<u64>) -> Result<u64, Refused>;
    /// `count` steps of `step_ms` each; the caller's deadline travels in its
    /// `Context`.
    async fn work(count: u32, step_ms: u32) -> Result<u64, Refused>;
}

/// What gRPC says with a status code, said with an ordinary Rust error type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Refused {
    InvalidArgument(String),
    ResourceExhausted(String),
}
// ANCHOR_END: trait

/// The largest bound `primes_below` accepts, and the longest `work`, as in the
/// gRPC server.
const MAX_LIMIT: u64 = 1_000_000;
const MAX_WORK: Duration = Duration::from_secs(30);

// ANCHOR: server
/// The server: one method per call, each an async fn on a cheap clone of this
/// struct.
#[derive(Clone, Default)]
pub struct NumbersServer {
    /// Steps done by all `work` calls: tests watch it stop when a deadline
    /// passes.
    pub steps: Arc<AtomicU64>,
}

impl Numbers for NumbersServer {
    async fn is_prime(self, _: Context, value: u64) -> Result<bool, Refused> {
        if value < 2 {
            let why = format!("{value} is neither prime nor composite");
            return Err(Refused::InvalidArgument(why));
        }
        Ok(is_prime(value))
    }

    async fn primes_below(
        self,
        _: Context,
        limit: u64,
    ) -> Result<Vec<u64>, Refused> {
        if limit > MAX_LIMIT {
            return Err(Refused::InvalidArgument(format!(
                "limit above {MAX_LIMIT}"
            )));
        }
        Ok((2..limit).filter(|&n| is_prime(n)).collect())
    }

    async fn sum(self, _: Context, numbers: Vec<u64>) -> Result<u64, Refused> {
        let overflow = || {
            Refused::InvalidArgument("the sum does not fit in 64 bits".into())
        };
        numbers
            .into_iter()
            .try_fold(0_u64, |total, n| total.checked_add(n))
            .ok_or_else(overflow)
    }

    async fn work(
        self,
        _: Context,
        count: u32,
        step_ms: u32,
    ) -> Result<u64, Refused> {
        let step = Duration::from_millis(step_ms.into());
        if step.checked_mul(count).is_none_or(|total| total > MAX_WORK) {
            let why = "more work than one call may ask for".to_string();
            return Err(Refused::ResourceExhausted(why));
        }
        // tarpc drops this future when the caller's deadline passes or it
        // cancels.
        for _ in 0..count {
            tokio::time::sleep(step).await;
            self.steps.fetch_add(1, Ordering::Relaxed);
        }
        Ok(count.into())
    }
}
// ANCHOR_END: server

// ANCHOR: serve
/// Serves on a free port of 127.0.0.1: every connection is a channel, every
/// request on it a task.
pub async fn start(
    server: NumbersServer,
) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    start_with(server, Nagle::Off).await
}

/// `start` with Nagle's algorithm chosen for the accepted sockets. tarpc's
/// own `tcp::listen` leaves the kernel's default (Nagle on), so the book
/// accepts the connections itself and sets `TCP_NODELAY`.
pub async fn start_with(
    server: NumbersServer,
    nagle: Nagle,
) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let address = listener.local_addr()?;
    let accepting = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                // Out of file descriptors, say: wait instead of spinning.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            };
            let _ = stream.set_nodelay(nagle == Nagle::Off);
            let transport = Transport::from((stream, Bincode::default()));
            let requests = BaseChannel::with_defaults(transport)
                .execute(server.clone().serve());
            tokio::spawn(requests.for_each(|request| async {
                tokio::spawn(request);
            }));
        }
    });
    Ok((address, accepting))
}

/// Connects now, within a bounded time, so a dead server is a clear error here.
pub async fn connect(address: SocketAddr) -> Result<NumbersClient, String> {
    connect_with(address, Nagle::Off).await
}

/// `connect` with Nagle's algorithm chosen (tarpc's `tcp::connect` leaves it
/// on).
pub async fn connect_with(
    address: SocketAddr,
    nagle: Nagle,
) -> Result<NumbersClient, String> {
    let cannot = |why: String| {
        format!("cannot reach a tarpc server at {address}: {why}")
    };
    let stream = tokio::time::timeout(
        Duration::from_secs(3),
        TcpStream::connect(address),
    )
    .await
    .map_err(|_| cannot("no answer within 3 s".into()))?
    .map_err(|error| cannot(error.to_string()))?;
    stream
        .set_nodelay(nagle == Nagle::Off)
        .map_err(|error| cannot(error.to_string()))?;
    let transport = Transport::from((stream, Bincode::default()));
    Ok(NumbersClient::new(client::Config::default(), transport).spawn())
}
// ANCHOR_END: serve
