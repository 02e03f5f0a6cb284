use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use ch10_event_loop::{Served, clients, reactor};
use exercises::ch10::serve_with_threads;

const IDLE: Duration = Duration::from_millis(100);

/// Points the listing's clients at `serve` and returns what both sides saw.
fn serve_and_talk(
    serve: impl FnOnce(TcpListener, usize) -> std::io::Result<Served>
    + Send
    + 'static,
    talkers: usize,
    messages: usize,
    idle: usize,
) -> (Served, clients::Seen) {
    clients::against(serve, talkers, messages, idle)
        .expect("every client gets its echo, or is closed when silent")
}

#[test]
fn ch10_threads_serve_what_the_event_loop_serves() {
    finishes_within(Duration::from_secs(60), || {
        for (talkers, messages, idle) in [(1, 1, 0), (5, 7, 2), (9, 23, 1)] {
            let (served, seen) = serve_and_talk(
                |listener, expected| {
                    serve_with_threads(listener, expected, IDLE)
                },
                talkers,
                messages,
                idle,
            );
            let (reference, reference_seen) =
                serve_and_talk(reactor::serve, talkers, messages, idle);
            let case = format!("{talkers} talking, {idle} silent");
            assert_eq!(seen, reference_seen, "what the clients saw: {case}");
            assert_eq!(seen.echoed, talkers * messages, "{case}");
            assert_eq!(seen.closed_on_idle, idle, "{case}");
            assert_eq!(served.connections, talkers + idle, "{case}");
            assert_eq!(
                served.bytes_echoed, reference.bytes_echoed,
                "bytes echoed: {case}"
            );
            assert_eq!(served.closed_idle, idle, "closed as idle: {case}");
            assert!(served.most_unsent > 0 || talkers == 0, "{case}");
        }
    });
}

#[test]
fn ch10_threads_serve_clients_at_the_same_time() {
    finishes_within(Duration::from_secs(60), || {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let address = listener.local_addr().expect("an address");
        // A long idle limit: only a server that serves one client at a time
        // makes the second wait for the first to go quiet.
        let idle = Duration::from_secs(2);
        let server =
            thread::spawn(move || serve_with_threads(listener, 2, idle));
        let mut clients: Vec<TcpStream> = (0..2)
            .map(|_| {
                let stream = TcpStream::connect(address).expect("connects");
                stream
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .expect("a timeout");
                stream
            })
            .collect();
        // The two clients take turns, each waiting for its echo.
        for turn in 0..3 {
            for (who, stream) in clients.iter_mut().enumerate() {
                let line = format!("client {who}, turn {turn}\n");
                let mut echo = vec![0; line.len()];
                let answered = stream
                    .write_all(line.as_bytes())
                    .and_then(|()| stream.read_exact(&mut echo));
                assert!(
                    answered.is_ok() && echo == line.as_bytes(),
                    "client {who} got no echo on turn {turn}: while one \
                     client waits for its turn, the other must be served"
                );
            }
        }
        drop(clients);
        let served = server.join().expect("no panic").expect("it serves");
        assert_eq!(served.connections, 2);
        assert_eq!(served.closed_idle, 0, "both clients closed their side");
    });
}
