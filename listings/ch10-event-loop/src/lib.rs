//! One echo server written twice: as an event loop built by hand on `mio`, and
//! as tasks on a current-thread tokio runtime. Both serve every client from a
//! single thread.

pub mod clients;
pub mod reactor;
pub mod tokio_echo;

use std::time::Duration;

/// What a server did, in terms that do not depend on timing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Served {
    /// Connections accepted.
    pub connections: usize,
    /// Bytes read from clients and written back.
    pub bytes_echoed: u64,
    /// Connections the server closed because the client said nothing for too
    /// long.
    pub closed_idle: usize,
    /// The most bytes the server held for one client at a time: read, not
    /// yet written back. At most `MAX_UNSENT` however the client behaves.
    pub most_unsent: usize,
}

/// The most bytes a server reads from a client before it has written them
/// back. A client that sends and never reads would otherwise make the server
/// hold everything it sends; with a limit, the server stops reading, and the
/// kernel's full buffers make the client's own writes wait (chapter 13 calls
/// this backpressure).
pub const MAX_UNSENT: usize = 64 * 1024;

/// How long a server waits for a silent client before closing its connection.
pub const IDLE_LIMIT: Duration = Duration::from_millis(200);

/// The longest a server runs before it gives up; keeps a stuck client from
/// hanging it.
pub const SERVE_LIMIT: Duration = Duration::from_secs(60);
