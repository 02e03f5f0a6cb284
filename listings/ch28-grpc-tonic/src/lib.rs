//! A gRPC service generated from `proto/numbers.proto`: the server, the token
//! check, and a client that makes each kind of call. `main` runs them together;
//! the load client of `ch28-grpc-load` and the comparison of
//! `ch29-tarpc-vs-grpc` reuse them.

pub mod auth;
pub mod client;
pub mod server;

/// The code `build.rs` generated from the `.proto`: message structs, a client,
/// a server trait. Generated code spells out full paths; the workspace's lint
/// against that is for hand-written code.
#[allow(unused_qualifications, clippy::all)]
pub mod pb {
    tonic::include_proto!("numbers");
}

/// Trial division: the same test on both sides of every comparison in these
/// chapters.
pub fn is_prime(n: u64) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}

#[cfg(test)]
mod tests {
    use super::is_prime;

    #[test]
    fn primes_below_thirty() {
        let primes: Vec<u64> = (0..30).filter(|&n| is_prime(n)).collect();
        assert_eq!(primes, [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
    }
}
