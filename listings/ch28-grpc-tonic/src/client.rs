//! The client: a connection, and one function per kind of call.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};
use tonic::{Request, Status};

use crate::auth::AttachToken;
use crate::pb::numbers_client::NumbersClient;
use crate::pb::{Number, Steps};
use crate::server::Nagle;

/// A client whose every call carries the token it was made with.
pub type Client = NumbersClient<InterceptedService<Channel, AttachToken>>;

/// How long `connect` waits for the TCP (and HTTP/2) handshake before it gives
/// up.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

// ANCHOR: connect
/// Connects now (not at the first call), so a dead server is reported here,
/// within `CONNECT_TIMEOUT`, as a clear error.
pub async fn connect(
    address: SocketAddr,
    token: Option<&str>,
) -> Result<Client, String> {
    connect_with(address, token, Nagle::Off).await
}

/// `connect` with Nagle's algorithm chosen: tonic's channel sets
/// `TCP_NODELAY` unless told otherwise.
pub async fn connect_with(
    address: SocketAddr,
    token: Option<&str>,
    nagle: Nagle,
) -> Result<Client, String> {
    let channel = Endpoint::from_shared(format!("http://{address}"))
        .map_err(|error| error.to_string())?
        .connect_timeout(CONNECT_TIMEOUT)
        .tcp_nodelay(nagle == Nagle::Off)
        .connect()
        .await
        .map_err(|error| {
            format!(
                "cannot reach a gRPC server at {address}: {}",
                chain(&error)
            )
        })?;
    let token = AttachToken::new(token)
        .map_err(|status| status.message().to_string())?;
    Ok(NumbersClient::with_interceptor(channel, token))
}
// ANCHOR_END: connect

/// An error and its causes on one line: transport errors say little without
/// them.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A status as the book prints it: the code's name, then the server's message.
pub fn describe(status: &Status) -> String {
    format!("{:?}: {}", status.code(), status.message())
}

/// Unary: is `value` prime?
pub async fn is_prime(client: &mut Client, value: u64) -> Result<bool, Status> {
    let verdict = client.is_prime(Number { value }).await?.into_inner();
    Ok(verdict.prime)
}

// ANCHOR: call_streams
/// Server streaming: read the primes below `limit` as the server sends them.
pub async fn primes_below(
    client: &mut Client,
    limit: u64,
) -> Result<Vec<u64>, Status> {
    let mut primes = client
        .primes_below(Number { value: limit })
        .await?
        .into_inner();
    let mut received = Vec::new();
    while let Some(prime) = primes.message().await? {
        received.push(prime.value);
    }
    Ok(received)
}

/// Client streaming: send `numbers` one message at a time, get back one sum.
pub async fn sum(
    client: &mut Client,
    numbers: Vec<u64>,
) -> Result<u64, Status> {
    let outgoing =
        tokio_stream::iter(numbers.into_iter().map(|value| Number { value }));
    Ok(client.sum(outgoing).await?.into_inner().value)
}

/// Bidirectional: send one number, wait for its running total, then send the
/// next — both directions of one call in use at once.
pub async fn running_totals(
    client: &mut Client,
    numbers: &[u64],
) -> Result<Vec<u64>, Status> {
    let (outgoing, requests) = mpsc::channel(1);
    let mut totals = client
        .running_total(ReceiverStream::new(requests))
        .await?
        .into_inner();
    let mut received = Vec::new();
    for &value in numbers {
        outgoing
            .send(Number { value })
            .await
            .map_err(|_| Status::aborted("the call ended early"))?;
        match totals.message().await? {
            Some(total) => received.push(total.value),
            None => {
                return Err(Status::aborted("the server stopped answering"));
            }
        }
    }
    drop(outgoing); // closing our side ends the server's loop, then its stream
    while totals.message().await?.is_some() {}
    Ok(received)
}
// ANCHOR_END: call_streams

// ANCHOR: deadline
/// `Work` with a deadline: the client sends it as the `grpc-timeout` header,
/// and the server's handler reads it and stops before it passes.
pub async fn work(
    client: &mut Client,
    count: u32,
    step: Duration,
    deadline: Option<Duration>,
) -> Result<u64, Status> {
    let step_ms = u32::try_from(step.as_millis()).unwrap_or(u32::MAX);
    let mut request = Request::new(Steps { count, step_ms });
    if let Some(deadline) = deadline {
        request.set_timeout(deadline);
    }
    Ok(client.work(request).await?.into_inner().value)
}
// ANCHOR_END: deadline
