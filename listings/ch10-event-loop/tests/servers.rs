//! Both servers, driven by real clients over 127.0.0.1: no line lost, altered
//! or duplicated, every silent client closed, and a client that dies does not
//! stop the server.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use ch10_event_loop::{
    IDLE_LIMIT, MAX_UNSENT, Served, clients, reactor, tokio_echo,
};

type Server = fn(TcpListener, usize) -> io::Result<Served>;
const SERVERS: [(&str, Server); 2] =
    [("mio", reactor::serve), ("tokio", tokio_echo::serve)];

/// The bytes `clients` clients of `messages` lines send, as `clients::run`
/// writes them.
fn bytes_sent(clients: usize, messages: usize) -> u64 {
    (0..clients)
        .flat_map(|client| {
            (0..messages)
                .map(move |m| format!("client {client} says {m}\n").len())
        })
        .sum::<usize>() as u64
}

/// `serve` for `expected` clients on a free port of 127.0.0.1, on a thread of
/// its own: the address to connect to, and the server to hand to `finish`.
fn start(
    serve: Server,
    expected: usize,
) -> (SocketAddr, thread::JoinHandle<io::Result<Served>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = listener.local_addr().expect("an address");
    (address, thread::spawn(move || serve(listener, expected)))
}

/// What a server started by `start` served, once its clients are done.
fn finish(server: thread::JoinHandle<io::Result<Served>>) -> Served {
    server
        .join()
        .expect("no panic")
        .expect("the server succeeds")
}

fn serve_and_talk(
    serve: Server,
    talkers: usize,
    messages: usize,
    idle: usize,
) -> (Served, clients::Seen) {
    clients::against(serve, talkers, messages, idle)
        .expect("the clients and the server succeed")
}

#[test]
fn stress_every_line_comes_back_exactly_once() {
    for (name, serve) in SERVERS {
        finishes_within(Duration::from_secs(120), move || {
            for iteration in 0..200 {
                let talkers = 1 + iteration % 9;
                let messages = 1 + (iteration * 7) % 23;
                let (served, seen) =
                    serve_and_talk(serve, talkers, messages, 0);
                let context = format!("{name}, iteration {iteration}");
                assert_eq!(served.connections, talkers, "{context}");
                assert_eq!(seen.echoed, talkers * messages, "{context}");
                assert_eq!(
                    served.bytes_echoed,
                    bytes_sent(talkers, messages),
                    "{context}"
                );
                assert_eq!(served.closed_idle, 0, "{context}");
            }
        });
    }
}

#[test]
fn silent_clients_are_closed_by_the_idle_timer_and_talkers_are_not() {
    for (name, serve) in SERVERS {
        let (served, seen) =
            finishes_within(Duration::from_secs(60), move || {
                serve_and_talk(serve, 20, 30, 5)
            });
        assert_eq!(served.connections, 25, "{name}");
        assert_eq!(served.closed_idle, 5, "{name}");
        assert_eq!(seen.closed_on_idle, 5, "{name}");
        assert_eq!(seen.echoed, 600, "{name}");
    }
}

#[test]
fn a_client_that_dies_mid_conversation_does_not_stop_the_server() {
    for (name, serve) in SERVERS {
        let served = finishes_within(Duration::from_secs(60), move || {
            let (address, server) = start(serve, 2);
            {
                // Sends a line and vanishes without reading the echo. Closing a
                // socket with unread bytes resets the connection (RST), so the
                // server's next read fails instead of reading an end of file.
                let mut rude = TcpStream::connect(address).expect("connects");
                rude.write_all(b"goodbye\n").expect("sends");
                rude.peek(&mut [0; 1])
                    .expect("the echo has arrived, unread");
            }
            let seen = clients::run(address, 1, 10, 0)
                .expect("the polite client succeeds");
            assert_eq!(seen.echoed, 10);
            finish(server)
        });
        assert_eq!(served.connections, 2, "{name}");
        // Ended when the reset was read, not left open for the idle timer.
        assert_eq!(served.closed_idle, 0, "{name}");
    }
}

#[test]
fn a_server_that_dies_mid_conversation_fails_its_client_instead_of_hanging() {
    let error = finishes_within(Duration::from_secs(60), || {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let address = listener.local_addr().expect("an address");
        // A server that echoes the first line and dies: the kernel closes its
        // socket.
        let dying = thread::spawn(move || {
            let (mut stream, _) = listener.accept().expect("a client");
            let mut line = vec![0; "client 0 says 0\n".len()];
            stream.read_exact(&mut line).expect("the first line");
            stream.write_all(&line).expect("its echo");
        });
        let outcome = clients::run(address, 1, 50, 0);
        dying.join().expect("no panic");
        outcome.expect_err("the client notices the server is gone")
    });
    let text = error.to_string();
    assert!(
        text.starts_with("the server closed the connection at message "),
        "{text}"
    );
}

#[test]
fn a_server_that_is_not_there_is_a_clear_error() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = listener.local_addr().expect("an address");
    drop(listener); // Nothing listens there any more.
    let error = finishes_within(Duration::from_secs(60), move || {
        clients::run(address, 2, 5, 0).expect_err("nobody answers")
    });
    assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused, "{error}");
}

#[test]
fn a_client_that_never_reads_its_echo_cannot_grow_the_server() {
    const SENT: usize = 32 << 20;
    for (name, serve) in SERVERS {
        let (served, written) =
            finishes_within(Duration::from_secs(60), move || {
                let (address, server) = start(serve, 1);
                // Sends and sends, and never reads a byte of the echo.
                let mut greedy = TcpStream::connect(address).expect("connects");
                greedy
                    .set_write_timeout(Some(Duration::from_secs(2)))
                    .expect("a timeout");
                let chunk = vec![b'x'; 64 * 1024];
                let mut written = 0;
                while written < SENT {
                    match greedy.write(&chunk) {
                        Ok(n) => written += n,
                        Err(_) => break, // stalled, or closed by the server
                    }
                }
                drop(greedy);
                (finish(server), written)
            });
        assert!(served.most_unsent <= MAX_UNSENT, "{name}: {served:?}");
        // The server stopped reading, so the kernel's buffers filled and the
        // client's writes stalled long before it had sent everything.
        assert!(written < SENT, "{name}: all {written} bytes were taken");
        assert_eq!(served.closed_idle, 1, "{name}: closed for not reading");
    }
}

#[test]
fn the_event_loop_gives_up_when_clients_never_arrive() {
    // No timer is pending while nobody has connected: only the server's own
    // limit can wake the loop.
    let error = finishes_within(Duration::from_secs(20), || {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        reactor::serve_within(listener, 1, Duration::from_millis(300))
            .expect_err("no client ever connects")
    });
    assert_eq!(error.kind(), io::ErrorKind::TimedOut, "{error}");
    assert_eq!(error.to_string(), "clients never finished");
}

#[test]
fn a_client_that_talks_slowly_outlives_the_idle_limit() {
    // Each pause is a quarter of the idle limit, the whole conversation twice
    // the limit: the timer must be moved on each time the client speaks.
    let pause = IDLE_LIMIT / 4;
    const LINES: usize = 8;
    for (name, serve) in SERVERS {
        let (served, echoed) =
            finishes_within(Duration::from_secs(60), move || {
                let (address, server) = start(serve, 1);
                let mut slow = TcpStream::connect(address).expect("connects");
                let mut echoed = 0;
                for number in 0..LINES {
                    thread::sleep(pause);
                    let line = format!("line {number}\n");
                    slow.write_all(line.as_bytes()).expect("sends");
                    let mut echo = vec![0; line.len()];
                    if slow.read_exact(&mut echo).is_err() {
                        break; // closed as idle
                    }
                    assert_eq!(echo, line.as_bytes());
                    echoed += 1;
                }
                drop(slow);
                (finish(server), echoed)
            });
        assert_eq!(echoed, LINES, "{name}: closed while it was still talking");
        assert_eq!(served.closed_idle, 0, "{name}");
    }
}
