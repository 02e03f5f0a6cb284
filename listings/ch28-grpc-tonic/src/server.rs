//! The server: one handler per call of the `.proto`, and the function that
//! serves them.

use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_stream::Stream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::metadata::MetadataMap;
use tonic::service::Interceptor;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tonic::{Request, Response, Status, Streaming};

use crate::auth::RequireToken;
use crate::is_prime;
use crate::pb::numbers_server::{Numbers, NumbersServer};
use crate::pb::{Number, Steps, Verdict};

/// The largest bound `PrimesBelow` accepts: a stream of primes is cheap, but
/// not free.
pub const MAX_LIMIT: u64 = 1_000_000;
/// `Work` refuses jobs longer than this, so no call can keep a handler busy for
/// long.
pub const MAX_WORK: Duration = Duration::from_secs(30);

/// What the `Work` handlers did, for the caller (and the tests) to watch from
/// outside.
#[derive(Debug, Default)]
pub struct WorkLog {
    steps: AtomicU64,
    finished: AtomicU64,
    gave_up: AtomicU64,
    dropped: AtomicU64,
}

impl WorkLog {
    /// Steps done by all `Work` calls so far.
    pub fn steps(&self) -> u64 {
        self.steps.load(Ordering::Relaxed)
    }
    /// Calls that did every step.
    pub fn finished(&self) -> u64 {
        self.finished.load(Ordering::Relaxed)
    }
    /// Calls that stopped themselves because the caller's deadline would pass.
    pub fn gave_up(&self) -> u64 {
        self.gave_up.load(Ordering::Relaxed)
    }
    /// Calls whose handler was dropped halfway: the client cancelled, or the
    /// transport's timer fired.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

// ANCHOR: guard
/// Lives as long as one `Work` handler. Its `Drop` runs however the handler
/// ends: by returning, or by being dropped at an `.await` when tonic learns the
/// client has gone.
struct WorkGuard<'a> {
    log: &'a WorkLog,
    outcome: Option<&'a AtomicU64>,
}

impl<'a> WorkGuard<'a> {
    fn new(log: &'a WorkLog) -> Self {
        Self { log, outcome: None }
    }
    fn finished(mut self) {
        self.outcome = Some(&self.log.finished);
    }
    fn gave_up(mut self) {
        self.outcome = Some(&self.log.gave_up);
    }
}

impl Drop for WorkGuard<'_> {
    fn drop(&mut self) {
        self.outcome
            .unwrap_or(&self.log.dropped)
            .fetch_add(1, Ordering::Relaxed);
    }
}
// ANCHOR_END: guard

/// The time left before the caller's deadline, from the `grpc-timeout` header
/// gRPC clients send (`100m` is 100 ms; units H, M, S, m, u, n).
fn time_left(metadata: &MetadataMap) -> Option<Duration> {
    let value = metadata.get("grpc-timeout")?.to_str().ok()?;
    let (amount, unit) = value.split_at(value.len().checked_sub(1)?);
    let amount: u64 = amount.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(amount.saturating_mul(3600)),
        "M" => Duration::from_secs(amount.saturating_mul(60)),
        "S" => Duration::from_secs(amount),
        "m" => Duration::from_millis(amount),
        "u" => Duration::from_micros(amount),
        "n" => Duration::from_nanos(amount),
        _ => return None,
    })
}

/// The service: stateless except for the log of `Work` calls.
#[derive(Debug, Clone, Default)]
pub struct NumbersService {
    log: Arc<WorkLog>,
}

impl NumbersService {
    pub fn new(log: Arc<WorkLog>) -> Self {
        Self { log }
    }
}

type NumberStream = Pin<Box<dyn Stream<Item = Result<Number, Status>> + Send>>;

#[tonic::async_trait]
impl Numbers for NumbersService {
    // ANCHOR: unary
    async fn is_prime(
        &self,
        request: Request<Number>,
    ) -> Result<Response<Verdict>, Status> {
        let value = request.into_inner().value;
        if value < 2 {
            return Err(Status::invalid_argument(format!(
                "{value} is neither prime nor composite"
            )));
        }
        Ok(Response::new(Verdict {
            value,
            prime: is_prime(value),
        }))
    }
    // ANCHOR_END: unary

    // ANCHOR: server_streaming
    type PrimesBelowStream = NumberStream;

    async fn primes_below(
        &self,
        request: Request<Number>,
    ) -> Result<Response<Self::PrimesBelowStream>, Status> {
        let limit = request.into_inner().value;
        if limit > MAX_LIMIT {
            return Err(Status::invalid_argument(format!(
                "limit above {MAX_LIMIT}"
            )));
        }
        // A bounded channel: the producer waits while the client is slow to
        // read.
        let (primes, stream) = mpsc::channel(16);
        tokio::spawn(async move {
            for value in (2..limit).filter(|&n| is_prime(n)) {
                if primes.send(Ok(Number { value })).await.is_err() {
                    break; // the client went away: stop producing
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(stream))))
    }
    // ANCHOR_END: server_streaming

    // ANCHOR: client_streaming
    async fn sum(
        &self,
        request: Request<Streaming<Number>>,
    ) -> Result<Response<Number>, Status> {
        let mut numbers = request.into_inner();
        let mut total: u64 = 0;
        // `message()` is Ok(None) when the client closes its side, Err if the
        // call broke.
        while let Some(number) = numbers.message().await? {
            total = total.checked_add(number.value).ok_or_else(|| {
                Status::invalid_argument("the sum does not fit in 64 bits")
            })?;
        }
        Ok(Response::new(Number { value: total }))
    }
    // ANCHOR_END: client_streaming

    // ANCHOR: bidirectional
    type RunningTotalStream = NumberStream;

    async fn running_total(
        &self,
        request: Request<Streaming<Number>>,
    ) -> Result<Response<Self::RunningTotalStream>, Status> {
        let mut numbers = request.into_inner();
        let (totals, stream) = mpsc::channel(16);
        tokio::spawn(async move {
            let mut total: u64 = 0;
            loop {
                let reply = match numbers.message().await {
                    Ok(Some(number)) => match total.checked_add(number.value) {
                        Some(sum) => {
                            total = sum;
                            Ok(Number { value: total })
                        }
                        None => Err(Status::invalid_argument(
                            "the total does not fit in 64 bits",
                        )),
                    },
                    Ok(None) => break, // the client finished sending
                    Err(status) => Err(status), // the call broke: pass that on
                };
                let failed = reply.is_err();
                if totals.send(reply).await.is_err() || failed {
                    break;
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(stream))))
    }
    // ANCHOR_END: bidirectional

    // ANCHOR: work
    async fn work(
        &self,
        request: Request<Steps>,
    ) -> Result<Response<Number>, Status> {
        let deadline =
            time_left(request.metadata()).map(|left| Instant::now() + left);
        let Steps { count, step_ms } = request.into_inner();
        let step = Duration::from_millis(step_ms.into());
        if step.checked_mul(count).is_none_or(|total| total > MAX_WORK) {
            return Err(Status::resource_exhausted(
                "more work than one call may ask for",
            ));
        }
        let guard = WorkGuard::new(&self.log);
        for _ in 0..count {
            // Give up as soon as the next step would end after the caller
            // stopped waiting.
            if deadline.is_some_and(|deadline| Instant::now() + step > deadline)
            {
                guard.gave_up();
                return Err(Status::deadline_exceeded(
                    "stopped early: the next step would end after the deadline",
                ));
            }
            // Where the handler is dropped if the client cancels.
            tokio::time::sleep(step).await;
            self.log.steps.fetch_add(1, Ordering::Relaxed);
        }
        guard.finished();
        Ok(Response::new(Number {
            value: count.into(),
        }))
    }
    // ANCHOR_END: work
}

// ANCHOR: serve
/// How often the server pings a connection that has sent nothing, and how long
/// it then waits for the ping's answer before it closes the connection and
/// drops every handler on it: a client that vanished without closing (its host
/// died, its process stopped) holds a handler at most for their sum.
pub const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(2);
pub const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(2);

/// Serves `service` on `listener`, refusing calls without `token`, until
/// `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    service: NumbersService,
    token: &str,
    shutdown: impl Future<Output = ()>,
) -> Result<(), Failure> {
    serve_with(listener, service, Some(token), Nagle::Off, shutdown).await
}

/// Whether a connection's small writes wait for the peer's acknowledgement
/// (Nagle's algorithm, the kernel's default for a TCP socket) or leave at
/// once (`TCP_NODELAY`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nagle {
    /// `TCP_NODELAY` set: what every server and client in this book uses.
    Off,
    /// The kernel's default, left as it is: chapter 29 shows what it costs.
    On,
}

/// `serve` with the choices spelled out: a token to require (or none), and
/// Nagle's algorithm on the accepted sockets.
pub async fn serve_with(
    listener: TcpListener,
    service: NumbersService,
    token: Option<&str>,
    nagle: Nagle,
    shutdown: impl Future<Output = ()>,
) -> Result<(), Failure> {
    let mut require = token.map(RequireToken::new).transpose()?;
    let check = move |request| match &mut require {
        Some(require) => require.call(request),
        None => Ok(request),
    };
    let guarded = NumbersServer::with_interceptor(service, check);
    // `Server::tcp_nodelay` applies only to sockets tonic accepts itself;
    // with a listener of our own, the option is set here or not at all.
    let incoming =
        TcpIncoming::from(listener).with_nodelay(Some(nagle == Nagle::Off));
    Server::builder()
        .http2_keepalive_interval(Some(KEEPALIVE_INTERVAL))
        .http2_keepalive_timeout(Some(KEEPALIVE_TIMEOUT))
        .serve_with_incoming_shutdown(guarded, incoming, shutdown)
        .await?;
    Ok(())
}
// ANCHOR_END: serve

/// Errors a server task can end with, passed between tasks.
pub type Failure = Box<dyn std::error::Error + Send + Sync>;

/// A server running as a task of this process on a free port of 127.0.0.1.
pub struct RunningServer {
    pub address: SocketAddr,
    pub log: Arc<WorkLog>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), Failure>>,
}

impl RunningServer {
    pub async fn start(token: &str) -> std::io::Result<Self> {
        Self::start_with(Some(token), Nagle::Off).await
    }

    /// `start` with the choices of [`serve_with`].
    pub async fn start_with(
        token: Option<&str>,
        nagle: Nagle,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let address = listener.local_addr()?;
        let log = Arc::new(WorkLog::default());
        let service = NumbersService::new(Arc::clone(&log));
        let (stop, stopped) = oneshot::channel::<()>();
        let token = token.map(str::to_string);
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            serve_with(listener, service, token.as_deref(), nagle, shutdown)
                .await
        });
        Ok(Self {
            address,
            log,
            stop,
            task,
        })
    }

    /// Stops accepting, lets calls in flight finish, and returns how the server
    /// ended.
    pub async fn stop(self) -> Result<(), Failure> {
        let _ = self.stop.send(());
        self.task.await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeout_header_units() {
        let mut metadata = MetadataMap::new();
        for (text, expected) in [
            ("100m", Duration::from_millis(100)),
            ("2S", Duration::from_secs(2)),
            ("1M", Duration::from_secs(60)),
            ("1H", Duration::from_secs(3600)),
            ("250000u", Duration::from_millis(250)),
            ("5n", Duration::from_nanos(5)),
        ] {
            metadata.insert("grpc-timeout", text.parse().expect("ASCII"));
            assert_eq!(time_left(&metadata), Some(expected), "{text}");
        }
        for bad in ["", "m", "12", "12x", "-1m"] {
            metadata.insert("grpc-timeout", bad.parse().expect("ASCII"));
            assert_eq!(time_left(&metadata), None, "{bad:?}");
        }
    }
}
