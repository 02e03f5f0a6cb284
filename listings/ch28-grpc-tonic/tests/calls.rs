//! What must hold for every call, whatever the timing: results equal the
//! sequential answer, a cancelled call's work stops, a deadline is kept, a call
//! without the token never runs.

use std::time::Duration;

use book_helpers::finishes_within;
use ch28_grpc_tonic::client::{self, connect};
use ch28_grpc_tonic::is_prime;
use ch28_grpc_tonic::pb::Number;
use ch28_grpc_tonic::server::RunningServer;
use tokio::task::JoinSet;
use tonic::Code;

const TOKEN: &str = "test-token";

fn runtime(workers: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("a runtime")
}

#[test]
fn stress_concurrent_calls_of_every_kind_match_the_sequential_answers() {
    finishes_within(Duration::from_secs(120), || {
        for round in 0..40_u64 {
            runtime(1 + (round % 4) as usize).block_on(async {
                let server =
                    RunningServer::start(TOKEN).await.expect("a server");
                let mut calls = JoinSet::new();
                for caller in 0..(1 + round % 9) {
                    let address = server.address;
                    calls.spawn(async move {
                        let mut client = connect(address, Some(TOKEN))
                            .await
                            .expect("connects");
                        let n = 50 + round * 7 + caller * 13;
                        let numbers: Vec<u64> = (1..=n).collect();
                        let expected_totals: Vec<u64> = numbers
                            .iter()
                            .scan(0, |total, &x| {
                                *total += x;
                                Some(*total)
                            })
                            .collect();
                        assert_eq!(
                            client::sum(&mut client, numbers.clone())
                                .await
                                .expect("sum"),
                            n * (n + 1) / 2
                        );
                        assert_eq!(
                            client::running_totals(&mut client, &numbers)
                                .await
                                .expect("totals"),
                            expected_totals
                        );
                        let primes: Vec<u64> =
                            (0..n).filter(|&k| is_prime(k)).collect();
                        assert_eq!(
                            client::primes_below(&mut client, n)
                                .await
                                .expect("primes"),
                            primes
                        );
                        assert_eq!(
                            client::is_prime(&mut client, n)
                                .await
                                .expect("verdict"),
                            is_prime(n)
                        );
                    });
                }
                while let Some(call) = calls.join_next().await {
                    call.expect("no call panicked");
                }
                server.stop().await.expect("a clean stop");
            });
        }
    });
}

#[test]
fn a_dropped_call_stops_the_servers_work() {
    finishes_within(Duration::from_secs(120), || {
        runtime(2).block_on(async {
            let server = RunningServer::start(TOKEN).await.expect("a server");
            let mut client = connect(server.address, Some(TOKEN))
                .await
                .expect("connects");
            let step = Duration::from_millis(5);
            for round in 1..=20_u64 {
                let call = client::work(&mut client, 2000, step, None);
                let patience = Duration::from_millis(10 + round * 7 % 60);
                assert!(
                    tokio::time::timeout(patience, call).await.is_err(),
                    "10 s of work cannot finish"
                );
                while server.log.dropped() < round {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                let steps = server.log.steps();
                tokio::time::sleep(step * 8).await;
                assert_eq!(
                    server.log.steps(),
                    steps,
                    "round {round}: no step after the drop"
                );
            }
            assert_eq!(server.log.finished(), 0);
            server.stop().await.expect("a clean stop");
        });
    });
}

#[test]
fn a_deadline_stops_the_handler_and_the_client_sees_deadline_exceeded() {
    finishes_within(Duration::from_secs(60), || {
        runtime(2).block_on(async {
            let server = RunningServer::start(TOKEN).await.expect("a server");
            let mut client = connect(server.address, Some(TOKEN))
                .await
                .expect("connects");
            let step = Duration::from_millis(100);
            // Each deadline falls half a step after a step ends: the handler
            // gives up that half step before the deadline, and its answer
            // arrives first.
            for deadline_ms in [50, 150, 250] {
                let deadline = Some(Duration::from_millis(deadline_ms));
                let status = client::work(&mut client, 10, step, deadline)
                    .await
                    .expect_err("too slow for its deadline");
                assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
            }
            assert_eq!(server.log.gave_up(), 3);
            // Exactly the most work one call may ask for (300 steps of 100 ms
            // are MAX_WORK) is taken on, and stopped by its deadline; one step
            // more is refused before any work starts.
            let short = Some(Duration::from_millis(50));
            for (steps, code) in [
                (300, Code::DeadlineExceeded),
                (301, Code::ResourceExhausted),
            ] {
                let status = client::work(&mut client, steps, step, short)
                    .await
                    .expect_err("more than the deadline allows");
                assert_eq!(status.code(), code, "{steps} steps: {status:?}");
            }

            // A call whose handler never checks the deadline: a `Sum` whose
            // client stream never ends. Only the timers can end it. tonic's
            // client starts one from the same `grpc-timeout` it sends, its
            // server another; either ends the call as CANCELLED "Timeout
            // expired", where the gRPC spec says DEADLINE_EXCEEDED.
            let mut request =
                tonic::Request::new(tokio_stream::pending::<Number>());
            request.set_timeout(Duration::from_millis(50));
            let status = client.sum(request).await.expect_err("never ends");
            assert_eq!(
                (status.code(), status.message()),
                (Code::Cancelled, "Timeout expired"),
                "{status:?}"
            );

            // Work that fits its deadline completes.
            let roomy = Some(Duration::from_secs(10));
            let done =
                client::work(&mut client, 2, Duration::from_millis(1), roomy)
                    .await;
            assert_eq!(done.expect("fits"), 2);
            assert_eq!(server.log.finished(), 1);
            server.stop().await.expect("a clean stop");
        });
    });
}

#[test]
fn a_server_that_failed_says_so_when_it_is_stopped() {
    finishes_within(Duration::from_secs(60), || {
        runtime(2).block_on(async {
            // The listener binds; serving fails at once on the token, which
            // cannot be a header value.
            let server = RunningServer::start("a token\nin two lines")
                .await
                .expect("a free port");
            let error = server.stop().await.expect_err("an invalid token");
            assert!(error.to_string().contains("printable ASCII"), "{error}");
        });
    });
}

#[test]
fn without_the_token_no_handler_runs() {
    finishes_within(Duration::from_secs(60), || {
        runtime(2).block_on(async {
            let server = RunningServer::start(TOKEN).await.expect("a server");
            for token in [None, Some("wrong"), Some("test-token ")] {
                let mut stranger =
                    connect(server.address, token).await.expect("connects");
                let status = client::work(
                    &mut stranger,
                    1,
                    Duration::from_millis(1),
                    None,
                )
                .await
                .expect_err("refused");
                assert_eq!(status.code(), Code::Unauthenticated, "{token:?}");
            }
            assert_eq!(server.log.steps(), 0, "the handler never ran");
            server.stop().await.expect("a clean stop");
        });
    });
}

/// A request that is wrong whatever the server's state is INVALID_ARGUMENT, as
/// the gRPC status-code guide asks; OUT_OF_RANGE is for a bound the system's
/// state may move (reading past the current end of a file), and no call of
/// this service has one.
#[test]
fn requests_wrong_in_any_state_are_invalid_argument() {
    finishes_within(Duration::from_secs(60), || {
        runtime(2).block_on(async {
            let server = RunningServer::start(TOKEN).await.expect("a server");
            let mut client = connect(server.address, Some(TOKEN))
                .await
                .expect("connects");
            let limit = ch28_grpc_tonic::server::MAX_LIMIT + 1;
            let refusals = [
                ("IsPrime(1)", client::is_prime(&mut client, 1).await.err()),
                (
                    "PrimesBelow above the limit",
                    client::primes_below(&mut client, limit).await.err(),
                ),
                (
                    "Sum that overflows",
                    client::sum(&mut client, vec![u64::MAX, 1]).await.err(),
                ),
                (
                    "RunningTotal that overflows",
                    client::running_totals(&mut client, &[u64::MAX, 1])
                        .await
                        .err(),
                ),
            ];
            for (call, status) in refusals {
                let status = status.unwrap_or_else(|| panic!("{call} refused"));
                assert_eq!(status.code(), Code::InvalidArgument, "{call}");
            }
            // Within the limits the same calls are answered: 2 is the first
            // number that is prime or composite.
            assert_eq!(client::is_prime(&mut client, 2).await.ok(), Some(true));
            // The largest bound accepted: the 78 498 primes below a million.
            let most = client::primes_below(&mut client, limit - 1).await;
            assert_eq!(most.map(|primes| primes.len()).ok(), Some(78_498));
            assert_eq!(
                client::sum(&mut client, vec![u64::MAX - 1, 1]).await.ok(),
                Some(u64::MAX)
            );
            let address = server.address;
            server.stop().await.expect("a clean stop");
            // Stopped means no longer listening.
            let after = connect(address, Some(TOKEN)).await;
            assert!(after.is_err(), "a stopped server took a connection");
        });
    });
}
