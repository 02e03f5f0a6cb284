//! The service driven by real clients over 127.0.0.1, in the test's own
//! process: every watcher receives every event exactly once, in one order
//! shared by all; a watcher that vanishes disturbs nobody; the shutdown closes
//! every connection; HTTP mistakes get 4xx.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use book_helpers::finishes_within;
use ch12_http_and_websocket::client::{self, ClientError, Watcher};
use ch12_http_and_websocket::server::{GOING_AWAY, JobAccepted};
use ch12_http_and_websocket::{Served, serve};
use futures::future::try_join_all;
use hyper::{Method, StatusCode};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Larger than any round's event count: in these tests no watcher may fall
/// behind.
const BACKLOG: usize = 256;

fn runtime(workers: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("a runtime")
}

struct Running {
    address: SocketAddr,
    shutdown: CancellationToken,
    server: JoinHandle<io::Result<Served>>,
}

async fn start() -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let address = listener.local_addr().expect("an address");
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(serve(listener, BACKLOG, shutdown.clone()));
    Running {
        address,
        shutdown,
        server,
    }
}

impl Running {
    /// Shuts down; every watcher still connected must hear "going away".
    async fn stop(self, watchers: Vec<Watcher>) -> Served {
        self.shutdown.cancel();
        for mut watcher in watchers {
            let name = watcher.name.clone();
            match watcher.next_event().await {
                Err(ClientError::ClosedByServer { code, .. }) => {
                    assert_eq!(code, GOING_AWAY)
                }
                other => panic!("{name}: expected a close, got {other:?}"),
            }
        }
        self.server
            .await
            .expect("no panic")
            .expect("the server stops cleanly")
    }
}

/// Everything a round published, in the order each publisher published it.
struct Sent {
    lines: HashMap<String, Vec<String>>,
    jobs: Vec<JobAccepted>,
}

/// `watchers` watchers each say `lines` lines while `jobs` jobs are posted over
/// HTTP, all at once; each watcher then reads until it has every event.
async fn busy_round(
    server: SocketAddr,
    watchers: usize,
    lines: usize,
    jobs: usize,
) -> (Vec<Watcher>, Sent) {
    let joined = try_join_all((0..watchers).map(|_| Watcher::join(server)))
        .await
        .expect("every watcher joins");
    let total = watchers * lines + jobs;
    let talkers = joined.into_iter().map(|mut watcher| {
        tokio::spawn(async move {
            let said: Vec<String> = (0..lines)
                .map(|k| format!("{} line {k}", watcher.name))
                .collect();
            for line in &said {
                watcher.say(line).await?;
            }
            watcher.receive_until(total).await?;
            Ok::<_, ClientError>((watcher, said))
        })
    });
    let posters = (0..jobs).map(|k| {
        tokio::spawn(async move {
            client::submit_job(server, &format!("job {k}")).await
        })
    });
    let talkers: Vec<_> = talkers.collect();
    let posters: Vec<_> = posters.collect();
    let mut sent = Sent {
        lines: HashMap::new(),
        jobs: Vec::new(),
    };
    for poster in posters {
        sent.jobs.push(
            poster
                .await
                .expect("no panic")
                .expect("the job is accepted"),
        );
    }
    let mut done = Vec::new();
    for talker in talkers {
        let (watcher, said) = talker
            .await
            .expect("no panic")
            .expect("the watcher hears everything");
        sent.lines.insert(watcher.name.clone(), said);
        done.push(watcher);
    }
    (done, sent)
}

/// What must hold after a round: the events are numbered 1..=total without a
/// gap, every watcher has the same ones in the same order, each line and job
/// appears exactly once, and each talker's lines appear in the order it said
/// them.
fn check_round(watchers: &[Watcher], sent: &Sent, context: &str) {
    let total =
        sent.lines.values().map(Vec::len).sum::<usize>() + sent.jobs.len();
    let first = &watchers[0].received;
    let seqs: Vec<u64> = first.iter().map(|event| event.seq).collect();
    assert_eq!(seqs, (1..=total as u64).collect::<Vec<_>>(), "{context}");
    for watcher in watchers {
        assert_eq!(
            &watcher.received, first,
            "{context}: {} differs",
            watcher.name
        );
    }
    for (name, said) in &sent.lines {
        let heard: Vec<&str> = first
            .iter()
            .filter(|event| &event.from == name)
            .map(|event| event.text.as_str())
            .collect();
        assert_eq!(
            heard, *said,
            "{context}: {name}'s lines, once each and in order"
        );
    }
    let mut job_names: Vec<&str> = first
        .iter()
        .filter(|event| event.from == "jobs")
        .map(|event| event.text.as_str())
        .collect();
    job_names.sort_unstable();
    let mut expected: Vec<String> =
        (0..sent.jobs.len()).map(|k| format!("job {k}")).collect();
    expected.sort_unstable();
    assert_eq!(job_names, expected, "{context}: every job once");
    for job in &sent.jobs {
        let event = &first[job.job as usize - 1];
        assert_eq!(
            event.from, "jobs",
            "{context}: job {} is its own event",
            job.job
        );
        assert_eq!(job.announced_to, watchers.len(), "{context}");
    }
}

#[test]
fn stress_every_watcher_receives_every_event_exactly_once() {
    finishes_within(Duration::from_secs(240), || {
        for iteration in 0..200_usize {
            let watchers = 1 + iteration % 8;
            let lines = iteration % 4;
            let jobs = (iteration * 7) % 6;
            let context = format!(
                "iteration {iteration}: {watchers} watchers, \
                 {lines} lines each, {jobs} jobs"
            );
            runtime(1 + iteration % 4).block_on(async {
                let running = start().await;
                let (done, sent) =
                    busy_round(running.address, watchers, lines, jobs).await;
                check_round(&done, &sent, &context);
                let served = running.stop(done).await;
                let total = (watchers * lines + jobs) as u64;
                assert_eq!(
                    served,
                    Served {
                        published: total,
                        watchers: watchers as u64
                    },
                    "{context}"
                );
            });
        }
    });
}

#[test]
fn a_vanished_watcher_does_not_disturb_the_others() {
    finishes_within(Duration::from_secs(120), || {
        for iteration in 0..50_usize {
            let watchers = 3 + iteration % 4;
            runtime(1 + iteration % 3).block_on(async {
                let running = start().await;
                let (mut done, first_round) =
                    busy_round(running.address, watchers, 2, 3).await;
                check_round(
                    &done,
                    &first_round,
                    &format!("iteration {iteration}, before"),
                );
                // One watcher is dropped without a word while new events are on
                // their way.
                let victim = done.remove(iteration % watchers);
                let posting = tokio::spawn(async move {
                    let mut accepted = Vec::new();
                    for k in 0..5 {
                        accepted.push(
                            client::submit_job(
                                running.address,
                                &format!("after {k}"),
                            )
                            .await?,
                        );
                    }
                    Ok::<_, ClientError>((running, accepted))
                });
                drop(victim);
                let (running, accepted) =
                    posting.await.expect("no panic").expect("jobs accepted");
                let total = watchers * 2 + 3 + 5;
                for watcher in &mut done {
                    watcher
                        .receive_until(total)
                        .await
                        .expect("the survivors hear everything");
                }
                let seqs: Vec<u64> =
                    done[0].received.iter().map(|event| event.seq).collect();
                assert_eq!(
                    seqs,
                    (1..=total as u64).collect::<Vec<_>>(),
                    "iteration {iteration}"
                );
                for watcher in &done {
                    assert_eq!(
                        watcher.received, done[0].received,
                        "iteration {iteration}"
                    );
                }
                // Each late job reached every survivor, and the victim at most.
                for job in &accepted {
                    assert!(
                        (watchers - 1..=watchers).contains(&job.announced_to),
                        "{job:?}"
                    );
                }
                let served = running.stop(done).await;
                assert_eq!(served.watchers, watchers as u64);
                assert_eq!(served.published, total as u64);
            });
        }
    });
}

#[test]
fn a_watcher_that_leaves_properly_is_no_longer_counted() {
    finishes_within(Duration::from_secs(60), || {
        runtime(2).block_on(async {
            let running = start().await;
            let mut staying =
                Watcher::join(running.address).await.expect("joins");
            let leaving = Watcher::join(running.address).await.expect("joins");
            leaving.leave().await.expect("a clean close");
            // The server drops the leaver's subscription when its connection
            // task ends.
            let mut watchers = 2;
            for _ in 0..1000 {
                watchers = client::health(running.address)
                    .await
                    .expect("health")
                    .watchers;
                if watchers == 1 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            assert_eq!(watchers, 1);
            let job = client::submit_job(running.address, "after the leaver")
                .await
                .expect("accepted");
            assert_eq!(job.announced_to, 1);
            let event = staying.next_event().await.expect("the job's event");
            assert_eq!(event.text, "after the leaver");
            let served = running.stop(vec![staying]).await;
            assert_eq!(
                served,
                Served {
                    published: 1,
                    watchers: 2
                }
            );
        });
    });
}

/// Leaving is the WebSocket closing handshake, not a dropped connection: a
/// bare server that welcomes one watcher sees its close frame arrive.
#[test]
fn leaving_sends_a_close_frame() {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    finishes_within(Duration::from_secs(60), || {
        runtime(2).block_on(async {
            let listener =
                TcpListener::bind("127.0.0.1:0").await.expect("a free port");
            let address = listener.local_addr().expect("an address");
            let server = tokio::spawn(async move {
                let (stream, _) = listener.accept().await.expect("a watcher");
                let mut socket = tokio_tungstenite::accept_async(stream)
                    .await
                    .expect("a WebSocket");
                let welcome = r#"{"seq":0,"from":"room","text":"watcher 1"}"#;
                socket.send(Message::text(welcome)).await.expect("sent");
                // Reading on after the close frame sends tungstenite's
                // answering one, which the leaving client waits for.
                let mut closed_properly = false;
                while let Some(Ok(message)) = socket.next().await {
                    closed_properly |= message.is_close();
                }
                closed_properly
            });
            let watcher = Watcher::join(address).await.expect("joins");
            watcher.leave().await.expect("a clean close");
            assert!(server.await.expect("the server ran"), "no close frame");
        });
    });
}

#[test]
fn http_mistakes_get_a_clear_4xx_answer() {
    finishes_within(Duration::from_secs(60), || {
        runtime(2).block_on(async {
            let running = start().await;
            let server = running.address;
            let post = |body: &'static str| {
                client::call(
                    server,
                    Method::POST,
                    "/jobs",
                    Some(body.to_string()),
                )
            };
            let reply = post(r#"{"name":"  "}"#).await.expect("an answer");
            assert_eq!(
                (reply.status, reply.body.as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, "a job needs a name")
            );
            let reply = post(r#"{"title":"x"}"#).await.expect("an answer");
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}",
                reply.body
            );
            assert!(
                reply.body.contains("missing field `name`"),
                "{}",
                reply.body
            );
            let reply = post("not json").await.expect("an answer");
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
            let reply = client::call(server, Method::GET, "/jobs", None)
                .await
                .expect("an answer");
            assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
            let reply = client::call(server, Method::GET, "/nowhere", None)
                .await
                .expect("an answer");
            assert_eq!(reply.status, StatusCode::NOT_FOUND);
            // A plain GET of the WebSocket endpoint, without the upgrade
            // headers.
            let reply = client::call(server, Method::GET, "/ws", None)
                .await
                .expect("an answer");
            assert!(reply.status.is_client_error(), "{reply:?}");
            match client::submit_job(server, "").await {
                Err(ClientError::Rejected { status, body }) => {
                    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
                    assert_eq!(body, "a job needs a name");
                }
                other => panic!("expected a rejection, got {other:?}"),
            }
            // A mistake on the client's side is named as one.
            let error = client::call(server, Method::GET, "no such path", None)
                .await
                .expect_err("not a URI");
            assert!(matches!(error, ClientError::Invalid(_)), "{error:?}");
            // None of the mistakes published anything.
            let served = running.stop(Vec::new()).await;
            assert_eq!(
                served,
                Served {
                    published: 0,
                    watchers: 0
                }
            );
        });
    });
}

#[test]
fn clients_of_a_server_that_is_not_there_fail_clearly() {
    finishes_within(Duration::from_secs(60), || {
        runtime(1).block_on(async {
            let listener =
                TcpListener::bind("127.0.0.1:0").await.expect("a free port");
            let address = listener.local_addr().expect("an address");
            drop(listener); // Nothing listens there any more.
            let error =
                client::health(address).await.expect_err("nobody answers");
            assert!(matches!(error, ClientError::Unreachable(_)), "{error:?}");
            assert!(
                error.to_string().starts_with("cannot reach the server"),
                "{error}"
            );
            let error =
                Watcher::join(address).await.err().expect("nobody answers");
            assert!(matches!(error, ClientError::Unreachable(_)), "{error:?}");
        });
    });
}
