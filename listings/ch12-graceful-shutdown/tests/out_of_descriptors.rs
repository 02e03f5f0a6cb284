//! A server out of file descriptors: `accept` fails with `EMFILE` for as long
//! as the shortage lasts, because the waiting connection stays in the
//! kernel's queue. The loop must back off rather than spin, and serve again
//! once descriptors are free. In a file of its own, because it lowers the
//! whole process's descriptor limit.

use std::fs::File;
use std::sync::Arc;
use std::time::Duration;

use book_helpers::finishes_within;
use ch12_graceful_shutdown::{Counters, Outcome, request, serve};
use nix::sys::resource::{Resource, UsageWho, getrlimit, getrusage, setrlimit};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// CPU time this process has used so far, user and system.
fn cpu_time() -> Duration {
    let usage = getrusage(UsageWho::RUSAGE_SELF).expect("getrusage");
    let micros = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(t.tv_sec() as u64)
            + Duration::from_micros(t.tv_usec() as u64)
    };
    micros(usage.user_time()) + micros(usage.system_time())
}

#[test]
fn out_of_descriptors_the_accept_loop_waits_instead_of_spinning() {
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).expect("getrlimit");
    setrlimit(Resource::RLIMIT_NOFILE, 256, hard).expect("a lower limit");
    finishes_within(Duration::from_secs(60), || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let address = listener.local_addr().unwrap();
            let shutdown = CancellationToken::new();
            let counters = Arc::new(Counters::default());
            let server = tokio::spawn(serve(
                listener,
                shutdown.clone(),
                Duration::ZERO,
                Arc::clone(&counters),
            ));
            // The client's socket first, then every descriptor left.
            let client = tokio::spawn(request(address, 7));
            tokio::task::yield_now().await;
            let mut hoard = Vec::new();
            while let Ok(file) = File::open("/dev/null") {
                hoard.push(file);
            }
            let before = cpu_time();
            tokio::time::sleep(Duration::from_secs(1)).await;
            let spent = cpu_time() - before;
            assert_eq!(counters.accepted(), 0, "no descriptor to accept with");
            // A spinning loop burns most of the second; one that backs off
            // wakes ten times.
            assert!(spent < Duration::from_millis(200), "{spent:?} of CPU");

            drop(hoard);
            let outcome = client.await.expect("no panic").expect("an answer");
            assert_eq!(outcome, Outcome::Answered, "served once it could");
            shutdown.cancel();
            server.await.expect("the server drains and returns");
            assert_eq!(counters.answered(), 1);
        });
    });
}
