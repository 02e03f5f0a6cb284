//! Chapter 29's exercise: the running total, as a tarpc service.
//!
//! tarpc has no streams, so `ch29-tarpc-vs-grpc` left out gRPC's
//! `RunningTotal`. Write it as a call that takes the whole list: implement
//! `running_totals` for `TotalsServer`, and `serve_in_memory`, which serves it
//! over tarpc's in-memory transport and returns a client. Check it with
//! `cargo exercise ch29`.

use serde::{Deserialize, Serialize};
use tarpc::context::Context;

/// The service: the contract is this trait.
#[tarpc::service]
pub trait Totals {
    /// The running totals of `numbers`: the first, the sum of the first two,
    /// and so on; `Overflow` if a total does not fit in 64 bits.
    async fn running_totals(numbers: Vec<u64>) -> Result<Vec<u64>, Overflow>;
}

/// The total including `numbers[at]` does not fit in 64 bits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overflow {
    pub at: usize,
}

/// The server, stateless.
#[derive(Clone)]
pub struct TotalsServer;

impl Totals for TotalsServer {
    async fn running_totals(
        self,
        _: Context,
        numbers: Vec<u64>,
    ) -> Result<Vec<u64>, Overflow> {
        // Your code here: gRPC's `running_total` handler, without a stream.
        todo!()
    }
}

/// Serves a `TotalsServer` on the calling tokio runtime over
/// `tarpc::transport::channel::unbounded()`, every request in a task of its
/// own, and returns a client connected to it.
pub fn serve_in_memory() -> TotalsClient {
    // Your code here: `ch29_tarpc_vs_grpc::service::start` and `connect`,
    // with an in-memory channel where they have TCP.
    todo!()
}
