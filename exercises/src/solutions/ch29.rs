//! Chapter 29's exercise, solved: the running total, as a tarpc service.

use futures::StreamExt as _;
use serde::{Deserialize, Serialize};
use tarpc::client;
use tarpc::context::Context;
use tarpc::server::{BaseChannel, Channel as _};

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

// ANCHOR: totals
impl Totals for TotalsServer {
    async fn running_totals(
        self,
        _: Context,
        numbers: Vec<u64>,
    ) -> Result<Vec<u64>, Overflow> {
        let mut total: u64 = 0;
        let mut totals = Vec::with_capacity(numbers.len());
        for (at, n) in numbers.into_iter().enumerate() {
            total = total.checked_add(n).ok_or(Overflow { at })?;
            totals.push(total);
        }
        Ok(totals)
    }
}

/// Serves a `TotalsServer` over an in-memory channel: the same channel and
/// client as over TCP, with no socket underneath.
pub fn serve_in_memory() -> TotalsClient {
    let (client_side, server_side) = tarpc::transport::channel::unbounded();
    let requests =
        BaseChannel::with_defaults(server_side).execute(TotalsServer.serve());
    tokio::spawn(requests.for_each(|request| async {
        tokio::spawn(request);
    }));
    TotalsClient::new(client::Config::default(), client_side).spawn()
}
// ANCHOR_END: totals
