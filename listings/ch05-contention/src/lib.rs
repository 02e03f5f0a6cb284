//! What contention costs: one counter incremented from several threads in
//! four ways, and how long a writer waits for an `RwLock` while readers keep
//! arriving.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, RwLock};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;

/// The four ways of sharing one counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    StdMutex,
    ParkingLotMutex,
    Atomic,
    Sharded,
}

impl Counter {
    pub const ALL: [Counter; 4] = [
        Counter::StdMutex,
        Counter::ParkingLotMutex,
        Counter::Atomic,
        Counter::Sharded,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Counter::StdMutex => "std Mutex<u64>",
            Counter::ParkingLotMutex => "parking_lot Mutex<u64>",
            Counter::Atomic => "AtomicU64 fetch_add",
            Counter::Sharded => "sharded, CachePadded",
        }
    }
}

// ANCHOR: count
/// `threads` threads add 1 to one counter `total / threads` times each (the
/// first `total % threads` once more), then the count is read: `total`, if
/// no increment was lost.
pub fn count(counter: Counter, threads: usize, total: u64) -> u64 {
    let threads = threads.max(1);
    let share = |t: usize| {
        total / threads as u64 + u64::from((t as u64) < total % threads as u64)
    };
    match counter {
        Counter::StdMutex => {
            let count = Mutex::new(0_u64);
            thread::scope(|s| {
                for t in 0..threads {
                    let count = &count;
                    s.spawn(move || {
                        for _ in 0..share(t) {
                            *count.lock().expect("not poisoned") += 1;
                        }
                    });
                }
            });
            count.into_inner().expect("not poisoned")
        }
        Counter::ParkingLotMutex => {
            let count = parking_lot::Mutex::new(0_u64);
            thread::scope(|s| {
                for t in 0..threads {
                    let count = &count;
                    s.spawn(move || {
                        for _ in 0..share(t) {
                            *count.lock() += 1; // no poisoning
                        }
                    });
                }
            });
            count.into_inner()
        }
        Counter::Atomic => {
            let count = AtomicU64::new(0);
            thread::scope(|s| {
                for t in 0..threads {
                    let count = &count;
                    s.spawn(move || {
                        for _ in 0..share(t) {
                            // Relaxed: the add is atomic whatever the
                            // ordering, and nothing else is published
                            // through the counter.
                            count.fetch_add(1, Ordering::Relaxed);
                        }
                    });
                }
            });
            // The scope joined every thread, and a join happens-after all
            // the joined thread did: every add is visible here.
            count.load(Ordering::Relaxed)
        }
        Counter::Sharded => {
            // One slot per thread, each on a cache line of its own: no two
            // threads ever write the same line.
            let slots: Vec<CachePadded<AtomicU64>> = (0..threads)
                .map(|_| CachePadded::new(AtomicU64::new(0)))
                .collect();
            thread::scope(|s| {
                for (t, slot) in slots.iter().enumerate() {
                    s.spawn(move || {
                        for _ in 0..share(t) {
                            slot.fetch_add(1, Ordering::Relaxed);
                        }
                    });
                }
            });
            slots.iter().map(|slot| slot.load(Ordering::Relaxed)).sum()
        }
    }
}
// ANCHOR_END: count

// ANCHOR: readers_first
/// The textbook reader-writer lock with *reader preference*: a reader gets
/// in whenever no writer holds the lock, even while a writer waits. (Only
/// the locking; the data it would guard is left out.)
#[derive(Default)]
pub struct ReadersFirst {
    state: Mutex<(usize, bool)>, // (readers inside, writer inside)
    changed: Condvar,
}

impl ReadersFirst {
    pub fn read<T>(&self, section: impl FnOnce() -> T) -> T {
        let state = self.state.lock().expect("not poisoned");
        let mut state = self
            .changed
            .wait_while(state, |(_, writer)| *writer)
            .expect("not poisoned");
        state.0 += 1;
        drop(state);
        let result = section();
        self.state.lock().expect("not poisoned").0 -= 1;
        self.changed.notify_all();
        result
    }

    pub fn write<T>(&self, section: impl FnOnce() -> T) -> T {
        let state = self.state.lock().expect("not poisoned");
        let mut state = self
            .changed
            .wait_while(state, |(readers, writer)| *readers > 0 || *writer)
            .expect("not poisoned");
        state.1 = true;
        drop(state);
        let result = section();
        self.state.lock().expect("not poisoned").1 = false;
        self.changed.notify_all();
        result
    }
}
// ANCHOR_END: readers_first

/// The reader-writer locks the writer test compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    Std,
    ParkingLot,
    ReadersFirst,
}

impl Lock {
    pub const ALL: [Lock; 3] =
        [Lock::Std, Lock::ParkingLot, Lock::ReadersFirst];

    pub fn name(self) -> &'static str {
        match self {
            Lock::Std => "std RwLock",
            Lock::ParkingLot => "parking_lot RwLock",
            Lock::ReadersFirst => "readers-first RwLock",
        }
    }
}

/// What the writer saw while readers kept the lock busy.
#[derive(Debug, Clone, PartialEq)]
pub struct WriterWaits {
    /// How long each write waited for the lock, in order; a write that had
    /// not got in when the readers gave up is missing.
    pub waits: Vec<Duration>,
    /// The writes the writer tried.
    pub attempts: usize,
    /// Read sections the readers completed meanwhile.
    pub reads: u64,
}

// ANCHOR: writer
/// `readers` threads take the read lock over and over, each holding it for
/// `hold` (staggered, so some reader always holds it), while one writer
/// takes the write lock `writes` times, `hold` apart, and records how long
/// each took to get in. The readers stop when the writer is done or at
/// `deadline`, whichever comes first: a starved writer ends the run instead
/// of hanging it.
pub fn writer_waits(
    lock: Lock,
    readers: usize,
    hold: Duration,
    writes: usize,
    deadline: Duration,
) -> WriterWaits {
    let std_lock = RwLock::new(0_u64);
    let pl_lock = parking_lot::RwLock::new(0_u64);
    let rf_lock = ReadersFirst::default();
    let stop = AtomicBool::new(false);
    let reads = AtomicU64::new(0);
    let started = Instant::now();
    let read_once = || match lock {
        Lock::Std => {
            let _guard = std_lock.read().expect("not poisoned");
            thread::sleep(hold);
        }
        Lock::ParkingLot => {
            let _guard = pl_lock.read();
            thread::sleep(hold);
        }
        Lock::ReadersFirst => rf_lock.read(|| thread::sleep(hold)),
    };
    let mut waits = Vec::with_capacity(writes);
    thread::scope(|s| {
        for r in 0..readers {
            let (stop, reads, read_once) = (&stop, &reads, &read_once);
            s.spawn(move || {
                // Staggered starts: the readers' sections overlap.
                thread::sleep(hold * r as u32 / readers.max(1) as u32);
                while !stop.load(Ordering::Relaxed)
                    && started.elapsed() < deadline
                {
                    read_once();
                    reads.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        // Let the readers get going first.
        thread::sleep(hold * 2);
        for _ in 0..writes {
            let asked = Instant::now();
            match lock {
                Lock::Std => *std_lock.write().expect("not poisoned") += 1,
                Lock::ParkingLot => *pl_lock.write() += 1,
                Lock::ReadersFirst => rf_lock.write(|| ()),
            }
            if started.elapsed() >= deadline {
                break; // got in only because the readers gave up
            }
            waits.push(asked.elapsed());
            thread::sleep(hold);
        }
        stop.store(true, Ordering::Relaxed);
    });
    WriterWaits {
        waits,
        attempts: writes,
        reads: reads.into_inner(),
    }
}
// ANCHOR_END: writer
