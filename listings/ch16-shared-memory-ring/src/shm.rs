//! A ring placed in a file that two processes map into memory, and the
//! waiting each side does when the ring is full or empty.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use memmap2::MmapMut;

use crate::ring::Ring;
use crate::sync::{AtomicU32, Ordering};

/// Slots in the shared ring: 32 KiB of values.
pub const CAPACITY: usize = 4096;

pub type SharedRing = Ring<CAPACITY>;

/// How long a side waits for the other to attach before giving up.
const ATTACH_LIMIT: Duration = Duration::from_secs(10);

// ANCHOR: mapping
/// A ring in a memory-mapped file; every process that maps the same file
/// sees the same physical memory.
pub struct Mapping {
    map: MmapMut,
}

impl Mapping {
    /// Creates the file, sized for one ring. A new file reads as zeros,
    /// which is an empty ring.
    pub fn create(path: &Path) -> io::Result<Mapping> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)?;
        file.set_len(size_of::<SharedRing>() as u64)?;
        Self::map(&file)
    }

    /// Maps a file that `create` made.
    pub fn open(path: &Path) -> io::Result<Mapping> {
        let file = OpenOptions::new().read(true).write(true).open(path)?;
        if file.metadata()?.len() != size_of::<SharedRing>() as u64 {
            return Err(io::Error::other(format!(
                "{} is not a ring of this program (wrong size)",
                path.display()
            )));
        }
        Self::map(&file)
    }

    fn map(file: &File) -> io::Result<Mapping> {
        // SAFETY: the file is ours and only ever accessed through `ring`,
        // whose fields are all atomics; nobody truncates it while mapped.
        let map = unsafe { MmapMut::map_mut(file)? };
        Ok(Mapping { map })
    }

    pub fn ring(&self) -> &SharedRing {
        let memory = self.map.as_ptr();
        assert!(self.map.len() >= size_of::<SharedRing>());
        assert_eq!(memory.align_offset(align_of::<SharedRing>()), 0);
        // SAFETY: large enough and aligned (checked above; mappings start
        // on a page boundary); any bytes are valid atomics, and other
        // processes touch this memory only through atomic operations.
        unsafe { &*memory.cast::<SharedRing>() }
    }
}
// ANCHOR_END: mapping

/// Whether the process `pid` still runs. A zombie — dead but not yet
/// reaped by its parent — counts as dead.
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next());
            !matches!(state, Some("Z" | "X"))
        }
        Err(_) => false,
    }
}

// ANCHOR: wait
/// Calls `attempt` until it succeeds. Spins briefly (the other side is
/// usually about to act), then yields the core, and every few milliseconds
/// checks that the process on the other side, named in `peer`, still lives.
pub fn wait_for<T>(
    peer: &AtomicU32,
    role: &str,
    mut attempt: impl FnMut() -> Option<T>,
) -> io::Result<T> {
    let started = Instant::now();
    let mut last_check = started;
    let mut tries: u32 = 0;
    loop {
        if let Some(done) = attempt() {
            return Ok(done);
        }
        tries = tries.saturating_add(1);
        if tries < 100 {
            std::hint::spin_loop();
            continue;
        }
        thread::yield_now();
        if last_check.elapsed() >= Duration::from_millis(5) {
            last_check = Instant::now();
            match peer.load(Ordering::Acquire) {
                0 if started.elapsed() > ATTACH_LIMIT => {
                    return Err(io::Error::other(format!(
                        "the {role} never attached to the ring"
                    )));
                }
                0 => {}
                pid if !alive(pid) => {
                    // It may have done its part and exited since the last
                    // attempt: look once more before calling it a death.
                    return attempt().ok_or_else(|| {
                        io::Error::other(format!("the {role} (pid {pid}) died"))
                    });
                }
                _ => {}
            }
        }
    }
}
// ANCHOR_END: wait
