//! The load client's table changes every run (it is a measurement); what must
//! hold is that every call was made once and answered, at every concurrency.
//! Also: `--help`, bad arguments, and a dead server.

use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use book_helpers::cli::{self, assert_help_mentions, assert_refused};
use book_helpers::finishes_within;
use ch28_grpc_load::{drive, grpc_call};
use ch28_grpc_tonic::client::connect_with;
use ch28_grpc_tonic::server::{Nagle, RunningServer};

const BINARY: &str = env!("CARGO_BIN_EXE_ch28-grpc-load");
const LIMIT: Duration = Duration::from_secs(90);

#[test]
fn every_row_makes_every_call_and_names_the_machine_and_rounds() {
    let ran = finishes_within(LIMIT, || {
        cli::run(
            BINARY,
            &["--concurrency", "1,3,16", "--calls", "300", "--rounds", "2"],
        )
    });
    assert!(ran.succeeded(), "{}", ran.stderr);
    let mut lines = ran.stdout.lines();
    let header = lines.next().unwrap_or_default();
    assert!(
        header.starts_with("machine: ") && header.contains(" at end"),
        "{}",
        ran.stdout
    );
    assert!(
        lines
            .next()
            .is_some_and(|line| line.starts_with("gRPC (tonic)")
                && line.contains("server in a child process")),
        "{}",
        ran.stdout
    );
    assert!(
        lines.next().is_some_and(|line| line
            .starts_with("no token, a 10-second deadline")
            && line.ends_with("TCP_NODELAY on both sides")),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains("2 rounds of 300 calls"),
        "{}",
        ran.stdout
    );
    let rows: Vec<Vec<&str>> = ran
        .stdout
        .lines()
        .skip_while(|line| !line.trim_start().starts_with("concurrent"))
        .skip(1)
        .map(|line| line.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), 3, "{}", ran.stdout);
    for (row, concurrency) in rows.iter().zip(["1", "3", "16"]) {
        // concurrent, calls, req/s, slowest, "–", fastest, p50 value and
        // unit, p99 value and unit
        assert_eq!(row.len(), 10, "{row:?}");
        assert_eq!(row[0], concurrency);
        assert_eq!(row[1], "300", "every call of every round made");
        // Rates and latencies are measured, so only their signs are
        // certain: a round that made no calls, or a latency of zero, is a
        // broken clock or a broken driver.
        for cell in [row[2], row[3], row[5], row[6], row[8]] {
            let value = cell.parse::<f64>().expect("a number");
            assert!(value > 0.0, "{row:?}");
        }
        for unit in [row[7], row[9]] {
            assert!(["ns", "µs", "ms", "s"].contains(&unit), "{row:?}");
        }
    }
}

/// Over gRPC, in one process: every call made, every reply checked and right,
/// one positive latency per call, at several concurrencies.
#[test]
fn over_grpc_every_call_is_answered_right_and_timed_once() {
    finishes_within(LIMIT, || {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        runtime.block_on(async {
            let server = RunningServer::start_with(None, Nagle::Off)
                .await
                .expect("a server");
            let client = connect_with(server.address, None, Nagle::Off)
                .await
                .expect("connects");
            for (concurrency, calls) in [(1, 50), (4, 203), (16, 400)] {
                let answered = Arc::new(AtomicU64::new(0));
                let counted = Arc::clone(&answered);
                let report = drive(client.clone(), concurrency, calls, {
                    move |client, n| {
                        let counted = Arc::clone(&counted);
                        async move {
                            // grpc_call checks the reply against the local
                            // answer: a wrong one is an error that ends the
                            // run.
                            grpc_call(client, n).await?;
                            counted.fetch_add(1, Ordering::Relaxed);
                            Ok(())
                        }
                    }
                })
                .await
                .expect("every call answered right");
                assert_eq!(answered.load(Ordering::Relaxed), calls);
                assert_eq!(report.calls() as u64, calls, "one latency a call");
                assert!(
                    report.latencies.iter().all(|latency| !latency.is_zero()),
                    "every call took time"
                );
                assert!(report.latencies.is_sorted());
                assert!(!report.elapsed.is_zero());
            }
            server.stop().await.expect("a clean stop");
            // With nobody to answer, a call is an error, not a quiet success.
            let unanswered = grpc_call(client, 0).await;
            assert!(unanswered.is_err(), "{unanswered:?}");
        });
    });
}

#[test]
fn stress_the_driver_makes_each_call_exactly_once() {
    finishes_within(LIMIT, || {
        for round in 0..200_u64 {
            let workers = 1 + (round % 4) as usize;
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .enable_all()
                .build()
                .expect("a runtime");
            let seen = Arc::new(Mutex::new(Vec::new()));
            let calls = round % 50;
            let concurrency = 1 + (round % 13) as usize;
            let report = runtime
                .block_on(drive(
                    Arc::clone(&seen),
                    concurrency,
                    calls,
                    |seen, n| async move {
                        tokio::task::yield_now().await;
                        seen.lock().expect("not poisoned").push(n);
                        Ok(())
                    },
                ))
                .expect("no call fails");
            let mut seen = seen.lock().expect("not poisoned").clone();
            seen.sort_unstable();
            assert_eq!(seen, (0..calls).collect::<Vec<_>>(), "round {round}");
            assert_eq!(report.calls() as u64, calls);
        }
    });
}

#[test]
fn a_failed_call_ends_the_run_with_its_error() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let outcome = runtime.block_on(drive((), 4, 100, |(), n| async move {
        if n == 42 {
            Err(format!("call {n} failed"))
        } else {
            Ok(())
        }
    }));
    assert_eq!(outcome.expect_err("one call failed"), "call 42 failed");
}

#[test]
fn a_dead_server_is_a_clear_error_not_a_hang() {
    let address = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port");
    let ran = finishes_within(LIMIT, move || {
        cli::run(BINARY, &["--addr", &address.to_string()])
    });
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("cannot reach a gRPC server"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
}

#[test]
fn help_and_bad_arguments() {
    finishes_within(LIMIT, || {
        assert_help_mentions(BINARY, &["--concurrency", "--calls", "--addr"]);
        assert_refused(
            BINARY,
            &[
                &["--concurrency", "0"],
                &["--concurrency", "1,x"],
                &["--calls", "0"],
                &["--addr", "nowhere"],
                &["--bogus"],
            ],
        );
    });
}
