//! gRPC over TLS on loopback: a client that trusts the run's certificate
//! authority is answered; a client that trusts another authority, and one that
//! speaks plaintext, are not.

use std::net::Ipv4Addr;
use std::process::ExitCode;

use book_helpers::cli::exit_code;
use ch28_grpc_tls::{SERVER_NAME, connect_tls, make_certificates, serve_tls};
use ch28_grpc_tonic::client::{self, connect};
use ch28_grpc_tonic::server::Failure;
use clap::Parser;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

#[derive(Parser)]
#[command(
    about = "gRPC over TLS with a certificate authority made at run time"
)]
struct Cli {
    /// The token the server requires.
    #[arg(long, default_value = "open-sesame")]
    token: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    exit_code(run(&cli.token).await)
}

// ANCHOR: main
async fn run(token: &str) -> Result<(), Failure> {
    let certificates = make_certificates("book test authority", SERVER_NAME)?;
    println!(
        "made a certificate authority and a certificate for {SERVER_NAME:?} it signed"
    );
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let address = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let server = {
        let (certificates, token) = (certificates.clone(), token.to_string());
        tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            serve_tls(listener, &certificates, &token, shutdown).await
        })
    };

    let mut trusting =
        connect_tls(address, &certificates.authority_pem, token).await?;
    let prime = client::is_prime(&mut trusting, 97).await?;
    let verdict = if prime { "prime" } else { "composite" };
    println!("client trusting that authority: IsPrime(97) -> {verdict}");

    let stranger = make_certificates("some other authority", SERVER_NAME)?;
    match connect_tls(address, &stranger.authority_pem, token).await {
        Err(error) => {
            println!(
                "client trusting another authority: refused during the TLS handshake"
            );
            eprintln!("  ({error})");
        }
        Ok(_) => {
            return Err("a client that trusts another authority got in".into());
        }
    }
    let plaintext = match connect(address, Some(token)).await {
        Ok(mut client) => client::is_prime(&mut client, 97).await.is_err(),
        Err(_) => true,
    };
    if !plaintext {
        return Err("a plaintext client was answered by the TLS server".into());
    }
    println!("client speaking plaintext to the TLS port: no answer");

    let _ = stop.send(());
    server.await?
}
// ANCHOR_END: main
