use std::thread::{self, JoinHandle};
use std::time::Duration;

use book_helpers::finishes_within;
use exercises::ch26::ask;

/// How long the test server waits for a request before it decides the client
/// is done.
const IDLE: Duration = Duration::from_secs(2);

/// A server on `endpoint` (a ROUTER, which may leave a request unanswered
/// and still take the next) that ignores its first `ignore` requests and
/// answers the rest with their squares. It returns the requests it received.
fn server(
    context: &zmq::Context,
    endpoint: &str,
    ignore: usize,
) -> JoinHandle<usize> {
    let socket = context.socket(zmq::ROUTER).expect("a ROUTER socket");
    socket.bind(endpoint).expect("the endpoint binds");
    thread::spawn(move || {
        let mut received = 0;
        while socket.poll(zmq::POLLIN, 2_000).expect("poll") > 0 {
            // A REQ peer's message: its identity, an empty frame, the body.
            let frames = socket.recv_multipart(0).expect("a request");
            received += 1;
            if received <= ignore {
                continue;
            }
            let n: u64 = String::from_utf8_lossy(&frames[2])
                .parse()
                .expect("a number");
            let square = (n * n).to_string();
            let reply = [&frames[0][..], b"", square.as_bytes()];
            socket.send_multipart(reply, 0).expect("the reply");
        }
        received
    })
}

#[test]
fn ch26_ask_retries_on_a_fresh_socket() {
    let received = finishes_within(IDLE * 5, || {
        let context = zmq::Context::new();
        let at = "inproc://ch26-retries";
        let server = server(&context, at, 2);
        let timeout = Duration::from_secs(1);
        let first = ask(&context, at, "7", timeout, 3).expect("an answer");
        assert_eq!(first, ("49".to_string(), 3), "answered on the third try");
        let next = ask(&context, at, "5", timeout, 3).expect("an answer");
        assert_eq!(next, ("25".to_string(), 1), "answered on the first try");
        server.join().expect("the server does not panic")
    });
    assert_eq!(received, 4, "one request per try, no more");
}

#[test]
fn ch26_ask_gives_up_after_its_tries() {
    let received = finishes_within(IDLE * 5, || {
        let context = zmq::Context::new();
        let at = "inproc://ch26-gives-up";
        let server = server(&context, at, usize::MAX);
        let timeout = Duration::from_millis(200);
        let answer = ask(&context, at, "3", timeout, 2);
        assert!(answer.is_err(), "no answer, yet ask returned {answer:?}");
        server.join().expect("the server does not panic")
    });
    assert_eq!(received, 2, "one request per try, no more");
}

#[test]
fn ch26_ask_lets_go_of_a_dead_server() {
    finishes_within(IDLE * 5, || {
        // A port on the loopback interface that nobody listens on any more:
        // every request stays queued, undelivered.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let at = format!("tcp://127.0.0.1:{port}");
        let context = zmq::Context::new();
        let answer = ask(&context, &at, "3", Duration::from_millis(100), 3);
        assert!(answer.is_err(), "no server, yet ask returned {answer:?}");
        // Dropping the context waits for every socket's undelivered messages
        // unless the sockets were told not to linger.
        drop(context);
    });
}
