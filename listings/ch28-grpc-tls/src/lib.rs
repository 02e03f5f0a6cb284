//! TLS for the gRPC service of `ch28-grpc-tonic`: certificates made at run
//! time, a TLS server, and a client that trusts one certificate authority.

use std::net::SocketAddr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ch28_grpc_tonic::auth::{AttachToken, RequireToken};
use ch28_grpc_tonic::client::{CONNECT_TIMEOUT, Client, chain};
use ch28_grpc_tonic::pb::numbers_client::NumbersClient;
use ch28_grpc_tonic::pb::numbers_server::NumbersServer;
use ch28_grpc_tonic::server::{Failure, NumbersService};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair,
};
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::transport::{
    Certificate, ClientTlsConfig, Endpoint, Identity, Server, ServerTlsConfig,
};

/// The name the server's certificate is issued for, and the name the client
/// checks.
pub const SERVER_NAME: &str = "localhost";

// ANCHOR: certificates
/// A certificate authority and a server certificate it signed, all in memory
/// (PEM text): nothing is written to disk, and nothing outlives the process.
#[derive(Clone)]
pub struct Certificates {
    pub authority_pem: String,
    pub server_pem: String,
    pub server_key_pem: String,
}

/// `server_name` is the name the server's certificate is issued for: the
/// listing's server uses `SERVER_NAME`, the name its clients check.
pub fn make_certificates(
    authority_name: &str,
    server_name: &str,
) -> Result<Certificates, rcgen::Error> {
    let mut authority = CertificateParams::new(Vec::<String>::new())?;
    authority.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    authority
        .distinguished_name
        .push(rcgen::DnType::CommonName, authority_name);
    let authority =
        CertifiedIssuer::self_signed(authority, KeyPair::generate()?)?;

    let server_key = KeyPair::generate()?;
    let server = CertificateParams::new(vec![server_name.to_string()])?
        .signed_by(&server_key, &authority)?;
    Ok(Certificates {
        authority_pem: pem("CERTIFICATE", authority.der()),
        server_pem: pem("CERTIFICATE", server.der()),
        server_key_pem: pem("PRIVATE KEY", &server_key.serialize_der()),
    })
}

/// PEM is the binary (DER) form in base64, 64 characters a line, between two
/// labels.
fn pem(label: &str, der: &[u8]) -> String {
    let text = STANDARD.encode(der);
    let mut pem = format!("-----BEGIN {label}-----\n");
    for line in text.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    pem
}
// ANCHOR_END: certificates

// ANCHOR: serve
/// The same service and token check as the plaintext server, behind TLS.
pub async fn serve_tls(
    listener: TcpListener,
    certificates: &Certificates,
    token: &str,
    shutdown: impl Future<Output = ()>,
) -> Result<(), Failure> {
    let identity = Identity::from_pem(
        &certificates.server_pem,
        &certificates.server_key_pem,
    );
    let guarded = NumbersServer::with_interceptor(
        NumbersService::default(),
        RequireToken::new(token)?,
    );
    Server::builder()
        .tls_config(ServerTlsConfig::new().identity(identity))?
        .serve_with_incoming_shutdown(
            guarded,
            TcpListenerStream::new(listener),
            shutdown,
        )
        .await?;
    Ok(())
}
// ANCHOR_END: serve

// ANCHOR: connect
/// Connects over TLS, trusting only `authority_pem`, and checks that the
/// server's certificate is issued for `SERVER_NAME`.
pub async fn connect_tls(
    address: SocketAddr,
    authority_pem: &str,
    token: &str,
) -> Result<Client, String> {
    let tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(authority_pem))
        .domain_name(SERVER_NAME);
    let channel = Endpoint::from_shared(format!("https://{address}"))
        .and_then(|endpoint| endpoint.tls_config(tls))
        .map_err(|error| chain(&error))?
        .connect_timeout(CONNECT_TIMEOUT)
        .connect()
        .await
        .map_err(|error| {
            format!("no TLS connection to {address}: {}", chain(&error))
        })?;
    let token = AttachToken::new(Some(token))
        .map_err(|status| status.message().to_string())?;
    Ok(NumbersClient::with_interceptor(channel, token))
}
// ANCHOR_END: connect
