//! No request is lost during shutdown, whenever the shutdown comes: every
//! request the server accepted is answered, and every client hears either its
//! answer or a refusal.

use std::sync::Arc;
use std::time::Duration;

use book_helpers::finishes_within;
use ch12_graceful_shutdown::{
    Counters, Outcome, is_one_clients_error, request, serve,
};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Sends `clients` requests while cancelling the server after `cancel_after`;
/// returns (answered by clients, refused, server's counters).
async fn one_round(
    clients: usize,
    work: Duration,
    cancel_after: Duration,
) -> (usize, usize, Arc<Counters>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let address = listener.local_addr().expect("an address");
    let shutdown = CancellationToken::new();
    let counters = Arc::new(Counters::default());
    let server = tokio::spawn(serve(
        listener,
        shutdown.clone(),
        work,
        Arc::clone(&counters),
    ));
    let mut requests = JoinSet::new();
    for id in 0..clients {
        requests.spawn(request(address, id));
    }
    tokio::time::sleep(cancel_after).await;
    shutdown.cancel();
    let (mut answered, mut refused) = (0, 0);
    while let Some(outcome) = requests.join_next().await {
        match outcome
            .expect("no panic")
            .expect("no request lost or garbled")
        {
            Outcome::Answered => answered += 1,
            Outcome::Refused => refused += 1,
        }
    }
    server.await.expect("the server drains and returns");
    (answered, refused, counters)
}

fn runtime(workers: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("a runtime")
}

#[test]
fn stress_shutdown_at_any_moment_loses_no_accepted_request() {
    finishes_within(Duration::from_secs(120), || {
        for iteration in 0..200_u64 {
            let rt = runtime(1 + (iteration % 4) as usize);
            let clients = 1 + (iteration % 17) as usize;
            let work = Duration::from_millis(1 + iteration % 5);
            let cancel_after = Duration::from_micros(iteration * 37 % 6000);
            let (answered, refused, counters) =
                rt.block_on(one_round(clients, work, cancel_after));
            let context = format!("iteration {iteration}: {clients} clients");
            assert_eq!(answered + refused, clients, "{context}");
            assert_eq!(
                counters.accepted(),
                counters.answered(),
                "{context}: drained"
            );
            assert_eq!(
                counters.answered(),
                answered,
                "{context}: every answer arrived"
            );
        }
    });
}

#[test]
fn a_server_cancelled_before_any_client_refuses_them_all() {
    let (answered, refused, counters) =
        finishes_within(Duration::from_secs(30), || {
            runtime(2).block_on(async {
                let listener = TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("a free port");
                let address = listener.local_addr().expect("an address");
                let shutdown = CancellationToken::new();
                shutdown.cancel();
                let counters = Arc::new(Counters::default());
                serve(
                    listener,
                    shutdown,
                    Duration::from_millis(1),
                    Arc::clone(&counters),
                )
                .await;
                let mut refused = 0;
                for id in 0..5 {
                    if request(address, id).await.expect("a clear outcome")
                        == Outcome::Refused
                    {
                        refused += 1;
                    }
                }
                (0, refused, counters)
            })
        });
    assert_eq!((answered, refused), (0, 5));
    assert_eq!(counters.accepted(), 0);
}

#[test]
fn requests_in_flight_when_shutdown_comes_are_all_answered() {
    let (answered, refused, counters) =
        finishes_within(Duration::from_secs(60), || {
            // Long work and an early cancel: every request is surely mid-work,
            // or not yet taken.
            runtime(2).block_on(one_round(
                30,
                Duration::from_millis(300),
                Duration::from_millis(100),
            ))
        });
    assert_eq!(answered + refused, 30);
    // Without this, a server that took nothing and refused everyone would
    // pass: the point is that requests taken before the cancel are answered.
    assert!(
        counters.accepted() > 0,
        "nothing was in flight at the cancel"
    );
    assert_eq!(counters.accepted(), answered);
    assert_eq!(counters.answered(), answered);
}

#[test]
fn clients_that_die_or_stay_silent_do_not_hold_up_the_drain() {
    let (answered, counters) = finishes_within(Duration::from_secs(60), || {
        runtime(2).block_on(async {
            let listener =
                TcpListener::bind("127.0.0.1:0").await.expect("a free port");
            let address = listener.local_addr().expect("an address");
            let shutdown = CancellationToken::new();
            let counters = Arc::new(Counters::default());
            let server = tokio::spawn(serve(
                listener,
                shutdown.clone(),
                Duration::from_millis(200),
                Arc::clone(&counters),
            ));
            // One client connects and dies at once; another connects and never
            // speaks, so only the request deadline can end its
            // handler.
            drop(TcpStream::connect(address).await.expect("connects"));
            let _silent = TcpStream::connect(address).await.expect("connects");
            let mut requests = JoinSet::new();
            for id in 0..5 {
                requests.spawn(request(address, id));
            }
            while counters.accepted() < 7 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            shutdown.cancel();
            let mut answered = 0;
            while let Some(outcome) = requests.join_next().await {
                let outcome =
                    outcome.expect("no panic").expect("a clear outcome");
                assert_eq!(outcome, Outcome::Answered);
                answered += 1;
            }
            server.await.expect("the drain ends despite both");
            (answered, counters)
        })
    });
    assert_eq!(answered, 5);
    assert_eq!((counters.accepted(), counters.answered()), (7, 5));
}

#[test]
fn a_killed_server_leaves_no_client_hanging() {
    let (outcomes, counters) = finishes_within(Duration::from_secs(60), || {
        let server_runtime = runtime(2);
        let listener = server_runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("a free port");
        let address = listener.local_addr().expect("an address");
        let counters = Arc::new(Counters::default());
        // Work far longer than the test: only the server's death can end these
        // requests.
        server_runtime.spawn(serve(
            listener,
            CancellationToken::new(),
            Duration::from_secs(600),
            Arc::clone(&counters),
        ));
        let outcomes = runtime(2).block_on(async {
            let mut requests = JoinSet::new();
            for id in 0..10 {
                requests.spawn(request(address, id));
            }
            while counters.accepted() < 10 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            // The server dies mid-work: its runtime goes, with every task and
            // socket.
            server_runtime.shutdown_background();
            let mut outcomes = Vec::new();
            while let Some(outcome) = requests.join_next().await {
                outcomes
                    .push(outcome.expect("no panic").expect("a clear outcome"));
            }
            outcomes
        });
        (outcomes, counters)
    });
    // The kernel closed the dead server's sockets: each client hears a refusal
    // at once.
    assert_eq!(outcomes, vec![Outcome::Refused; 10]);
    assert_eq!(counters.answered(), 0);
}

/// A reply that is not the answer to the request is an error, not an answer.
#[test]
fn a_wrong_answer_is_an_error() {
    let ran = runtime(1).block_on(async {
        let listener =
            TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let address = listener.local_addr().expect("an address");
        let impostor = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.expect("the client");
            let mut stream = BufReader::new(stream);
            let mut line = String::new();
            stream.read_line(&mut line).await.expect("its request");
            let answer = b"done: request 8\n";
            stream.get_mut().write_all(answer).await.expect("a reply");
        });
        let outcome = request(address, 7).await;
        impostor.await.expect("no panic");
        outcome
    });
    let error = ran.expect_err("the answer to request 8 is not request 7's");
    assert!(error.to_string().contains("wrong answer"), "{error}");
}

/// Errors that concern one client only are retried at once; the others would
/// fail again at once, so the accept loop backs off.
#[test]
fn only_one_clients_errors_count_as_passing() {
    use std::io::{Error, ErrorKind};
    for kind in [ErrorKind::ConnectionAborted, ErrorKind::ConnectionReset] {
        assert!(is_one_clients_error(&Error::from(kind)), "{kind:?}");
    }
    // EMFILE: this process is out of file descriptors.
    assert!(!is_one_clients_error(&Error::from_raw_os_error(24)));
}
