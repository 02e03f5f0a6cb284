//! Over TLS: answers only for clients that trust the authority, the same
//! answers as in plaintext under concurrent load, and clear errors for a dead
//! server or a dead client.

use std::io::Write;
use std::net::{Ipv4Addr, TcpStream};
use std::time::Duration;

use book_helpers::cli::{self, assert_help_mentions, assert_refused};
use book_helpers::finishes_within;
use ch28_grpc_tls::{
    Certificates, SERVER_NAME, connect_tls, make_certificates, serve_tls,
};
use ch28_grpc_tonic::client;
use ch28_grpc_tonic::is_prime;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

const BINARY: &str = env!("CARGO_BIN_EXE_ch28-grpc-tls");
const LIMIT: Duration = Duration::from_secs(90);
const TOKEN: &str = "tls-token";

/// A TLS server on a free port, stopped when the returned sender is dropped or
/// used.
async fn start(
    certificates: &Certificates,
) -> (std::net::SocketAddr, oneshot::Sender<()>) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .expect("a port");
    let address = listener.local_addr().expect("an address");
    let (stop, stopped) = oneshot::channel::<()>();
    let certificates = certificates.clone();
    tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        serve_tls(listener, &certificates, TOKEN, shutdown)
            .await
            .expect("serves");
    });
    (address, stop)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

#[test]
fn the_listing_runs_and_says_who_was_refused() {
    let ran = finishes_within(LIMIT, || cli::run(BINARY, &[]));
    assert!(ran.succeeded(), "{}", ran.stderr);
    assert!(
        ran.stdout.contains("IsPrime(97) -> prime"),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("refused during the TLS handshake"));
    assert!(ran.stderr.contains("UnknownIssuer"), "{}", ran.stderr);
    assert!(ran.stdout.contains("plaintext to the TLS port: no answer"));
}

#[test]
fn stress_concurrent_tls_clients_get_the_plaintext_answers() {
    finishes_within(LIMIT, || {
        runtime().block_on(async {
            let certificates =
                make_certificates("stress authority", SERVER_NAME)
                    .expect("certificates");
            let (address, _stop) = start(&certificates).await;
            for round in 0..10_u64 {
                let mut clients = JoinSet::new();
                for caller in 0..(1 + round % 6) {
                    let authority = certificates.authority_pem.clone();
                    clients.spawn(async move {
                        let mut client =
                            connect_tls(address, &authority, TOKEN)
                                .await
                                .expect("TLS");
                        for n in (round * 100 + caller * 10)
                            ..(round * 100 + caller * 10 + 10)
                        {
                            let prime = client::is_prime(&mut client, n + 2)
                                .await
                                .expect("a verdict");
                            assert_eq!(prime, is_prime(n + 2));
                        }
                        assert_eq!(
                            client::sum(&mut client, (1..=10).collect())
                                .await
                                .expect("sum"),
                            55
                        );
                    });
                }
                while let Some(done) = clients.join_next().await {
                    done.expect("no client panicked");
                }
            }
        });
    });
}

/// The trusted authority signed the server's certificate, but for another
/// name: the chain checks out, the name does not, and the client must refuse
/// as it would a stranger that stole a certificate from another of the
/// authority's hosts.
#[test]
fn a_certificate_for_another_name_is_refused_though_its_authority_is_trusted() {
    let error = finishes_within(LIMIT, || {
        runtime().block_on(async {
            let certificates = make_certificates("trusted authority", "wrong.example")
                .expect("certificates");
            let (address, _stop) = start(&certificates).await;
            match connect_tls(address, &certificates.authority_pem, TOKEN).await
            {
                Err(error) => error,
                Ok(mut client) => {
                    let answered = client::is_prime(&mut client, 97).await;
                    panic!(
                        "a certificate for wrong.example passed for {SERVER_NAME}: {answered:?}"
                    )
                }
            }
        })
    });
    assert!(error.starts_with("no TLS connection to"), "{error}");
    assert!(
        error.contains(&format!("not valid for name \"{SERVER_NAME}\""))
            && error.contains("wrong.example"),
        "the error names the name checked and the name presented: {error}"
    );
}

#[test]
fn a_dead_server_is_a_clear_error_not_a_hang() {
    let error = finishes_within(LIMIT, || {
        runtime().block_on(async {
            let certificates =
                make_certificates("lonely authority", SERVER_NAME)
                    .expect("certificates");
            let address = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|listener| listener.local_addr())
                .expect("a free port");
            match connect_tls(address, &certificates.authority_pem, TOKEN).await
            {
                Err(error) => error,
                Ok(_) => panic!("nobody listens there"),
            }
        })
    });
    assert!(error.starts_with("no TLS connection to"), "{error}");
}

#[test]
fn the_server_survives_clients_that_die_during_the_handshake() {
    finishes_within(LIMIT, || {
        runtime().block_on(async {
            let certificates =
                make_certificates("patient authority", SERVER_NAME)
                    .expect("certificates");
            let (address, _stop) = start(&certificates).await;
            for junk in [
                &b""[..],
                b"\x16\x03\x01\x02\x00\x01",
                b"GET / HTTP/1.1\r\n\r\n",
            ] {
                let mut quitter =
                    TcpStream::connect(address).expect("connects");
                quitter.write_all(junk).expect("writes");
                drop(quitter);
            }
            let mut client =
                connect_tls(address, &certificates.authority_pem, TOKEN)
                    .await
                    .expect("TLS");
            assert!(
                client::is_prime(&mut client, 97).await.expect("a verdict")
            );
        });
    });
}

#[test]
fn help_and_bad_arguments() {
    finishes_within(LIMIT, || {
        assert_help_mentions(BINARY, &["--token", "TLS"]);
        assert_refused(BINARY, &[&["--bogus"], &["--token"]]);
    });
}
