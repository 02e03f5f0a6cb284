//! Real clients for the service: HTTP requests on hyper, a WebSocket watcher on
//! tokio-tungstenite. Every call is bounded in time, and every failure says
//! what happened.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HOST};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde::de::DeserializeOwned;
use tokio::net::TcpStream;
use tokio::time;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use crate::room::Event;
use crate::server::{Health, JobAccepted, NewJob};

/// No single call of this client waits longer than this.
pub const DEADLINE: Duration = Duration::from_secs(10);

// ANCHOR: errors
/// Why a call failed.
#[derive(Debug)]
pub enum ClientError {
    /// Nothing listens at the address (or the connection attempt failed).
    Unreachable(io::Error),
    /// The server answered, but not with what was asked for.
    Rejected { status: StatusCode, body: String },
    /// The server ended the WebSocket properly, with a close frame.
    ClosedByServer { code: u16, reason: String },
    /// The connection broke without a proper ending: the server died or the
    /// network did.
    ServerGone(String),
    /// No answer within `DEADLINE`.
    TimedOut,
    /// The request could not be written at all (a path that is not a URI).
    Invalid(String),
}
// ANCHOR_END: errors

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Unreachable(error) => {
                write!(f, "cannot reach the server: {error}")
            }
            ClientError::Rejected { status, body } => {
                write!(f, "server answered {status}: {body}")
            }
            ClientError::ClosedByServer { code, reason } => {
                write!(f, "the server closed the connection ({code} {reason})")
            }
            ClientError::ServerGone(detail) => {
                write!(f, "the server went away: {detail}")
            }
            ClientError::Invalid(detail) => {
                write!(f, "not a valid request: {detail}")
            }
            ClientError::TimedOut => {
                write!(f, "no answer within {}s", DEADLINE.as_secs())
            }
        }
    }
}

impl std::error::Error for ClientError {}

/// An HTTP answer as it came off the wire.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: String,
}

impl Reply {
    fn parse<T: DeserializeOwned>(
        self,
        expected: StatusCode,
    ) -> Result<T, ClientError> {
        if self.status != expected {
            return Err(ClientError::Rejected {
                status: self.status,
                body: self.body,
            });
        }
        serde_json::from_str(&self.body).map_err(|_| ClientError::Rejected {
            status: self.status,
            body: self.body,
        })
    }
}

/// One HTTP/1.1 request on a fresh connection.
pub async fn call(
    server: SocketAddr,
    method: Method,
    path: &str,
    json: Option<String>,
) -> Result<Reply, ClientError> {
    time::timeout(DEADLINE, async {
        let stream = TcpStream::connect(server)
            .await
            .map_err(ClientError::Unreachable)?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .map_err(gone)?;
        // The connection object drives the socket; it ends when the sender is
        // dropped.
        tokio::spawn(connection);
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, server.to_string())
            .header(CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(json.unwrap_or_default())))
            .map_err(|error| ClientError::Invalid(error.to_string()))?;
        let response = sender.send_request(request).await.map_err(gone)?;
        let status = response.status();
        let body = response.into_body().collect().await.map_err(gone)?;
        let body = String::from_utf8_lossy(&body.to_bytes()).into_owned();
        Ok(Reply { status, body })
    })
    .await
    .map_err(|_| ClientError::TimedOut)?
}

fn gone(error: hyper::Error) -> ClientError {
    ClientError::ServerGone(error.to_string())
}

/// `GET /health`.
pub async fn health(server: SocketAddr) -> Result<Health, ClientError> {
    call(server, Method::GET, "/health", None)
        .await?
        .parse(StatusCode::OK)
}

/// `POST /jobs`: the job is announced to every watcher.
pub async fn submit_job(
    server: SocketAddr,
    name: &str,
) -> Result<JobAccepted, ClientError> {
    let job = NewJob {
        name: name.to_string(),
    };
    let json = serde_json::to_string(&job)
        .map_err(|error| ClientError::Invalid(error.to_string()))?;
    call(server, Method::POST, "/jobs", Some(json))
        .await?
        .parse(StatusCode::CREATED)
}

/// A WebSocket client of `/ws`: it keeps every event it received, in order.
/// Dropping it closes the TCP connection without a close frame, as the kernel
/// does for a killed client.
pub struct Watcher {
    pub name: String,
    pub received: Vec<Event>,
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Watcher {
    // ANCHOR: join
    /// Upgrades an HTTP connection to a WebSocket and reads the server's
    /// welcome, which carries the name the server gave this watcher.
    pub async fn join(server: SocketAddr) -> Result<Watcher, ClientError> {
        let url = format!("ws://{server}/ws");
        let (socket, _response) = time::timeout(DEADLINE, connect_async(url))
            .await
            .map_err(|_| ClientError::TimedOut)?
            .map_err(|error| match error {
                tungstenite::Error::Io(error) => {
                    ClientError::Unreachable(error)
                }
                other => ClientError::ServerGone(other.to_string()),
            })?;
        let mut watcher = Watcher {
            name: String::new(),
            received: Vec::new(),
            socket,
        };
        let welcome = watcher.next_frame().await?;
        watcher.name = welcome.text;
        Ok(watcher)
    }
    // ANCHOR_END: join

    /// Sends a line to the room; it comes back to every watcher, this one
    /// included.
    pub async fn say(&mut self, text: &str) -> Result<(), ClientError> {
        let sent =
            time::timeout(DEADLINE, self.socket.send(Message::text(text)))
                .await;
        sent.map_err(|_| ClientError::TimedOut)?
            .map_err(|error| ClientError::ServerGone(error.to_string()))
    }

    /// Waits for the next event and keeps it.
    pub async fn next_event(&mut self) -> Result<&Event, ClientError> {
        let event = self.next_frame().await?;
        self.received.push(event);
        Ok(&self.received[self.received.len() - 1])
    }

    /// Receives until this watcher has seen `count` events in all.
    pub async fn receive_until(
        &mut self,
        count: usize,
    ) -> Result<(), ClientError> {
        while self.received.len() < count {
            self.next_event().await?;
        }
        Ok(())
    }

    async fn next_frame(&mut self) -> Result<Event, ClientError> {
        loop {
            let frame = time::timeout(DEADLINE, self.socket.next())
                .await
                .map_err(|_| ClientError::TimedOut)?;
            match frame {
                Some(Ok(Message::Text(text))) => {
                    return serde_json::from_str(&text).map_err(|error| {
                        ClientError::ServerGone(format!(
                            "garbled event {text:?}: {error}"
                        ))
                    });
                }
                Some(Ok(Message::Close(frame))) => {
                    let (code, reason) = frame
                        .map(|frame| {
                            (u16::from(frame.code), frame.reason.to_string())
                        })
                        // 1005: the close frame carried no status.
                        .unwrap_or((1005, String::new()));
                    return Err(ClientError::ClosedByServer { code, reason });
                }
                Some(Ok(_)) => {} // Pings and pongs: the protocol's business.
                Some(Err(error)) => {
                    return Err(ClientError::ServerGone(error.to_string()));
                }
                None => {
                    return Err(ClientError::ServerGone(
                        "connection closed".to_string(),
                    ));
                }
            }
        }
    }

    /// Leaves properly: a close frame, then the server's answering one.
    pub async fn leave(mut self) -> Result<(), ClientError> {
        let closing = async {
            self.socket.close(None).await?;
            while self.socket.next().await.transpose()?.is_some() {}
            Ok::<(), tungstenite::Error>(())
        };
        match time::timeout(DEADLINE, closing).await {
            Ok(Ok(())) | Ok(Err(tungstenite::Error::ConnectionClosed)) => {
                Ok(())
            }
            Ok(Err(error)) => Err(ClientError::ServerGone(error.to_string())),
            Err(_) => Err(ClientError::TimedOut),
        }
    }
}
