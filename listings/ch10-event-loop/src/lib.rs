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
}

/// How long a server waits for a silent client before closing its connection.
pub const IDLE_LIMIT: Duration = Duration::from_millis(200);

/// The longest a server runs before it gives up; keeps a stuck client from
/// hanging it.
pub const SERVE_LIMIT: Duration = Duration::from_secs(60);
