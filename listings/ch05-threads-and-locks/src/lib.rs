//! The standard library's threads and locks, one small function each, so the
//! chapter can show them and the tests can run them many times.

use std::collections::VecDeque;
use std::sync::{Arc, Barrier, Condvar, Mutex, RwLock};
use std::thread;

// ANCHOR: spawn
/// Starts one thread per number and collects what each returns.
pub fn squares(count: u64) -> Vec<u64> {
    let handles: Vec<thread::JoinHandle<u64>> = (0..count)
        .map(|n| thread::spawn(move || n * n)) // `move`: the thread owns its `n`
        .collect();
    handles
        .into_iter()
        .map(|handle| handle.join().expect("a squaring thread panicked"))
        .collect()
}
// ANCHOR_END: spawn

// ANCHOR: scoped
/// Sums `numbers` in `threads` chunks; the threads borrow the slice directly.
pub fn scoped_sum(numbers: &[u64], threads: usize) -> u64 {
    let chunk = numbers.len().div_ceil(threads.max(1)).max(1);
    thread::scope(|scope| {
        let handles: Vec<_> = numbers
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().sum::<u64>()))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .sum()
    }) // every thread spawned in the scope has been joined here
}
// ANCHOR_END: scoped

// ANCHOR: mutex
/// `threads` threads each add one to a shared counter `increments` times.
pub fn mutex_counter(threads: usize, increments: u64) -> u64 {
    let counter = Arc::new(Mutex::new(0u64));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let counter = Arc::clone(&counter); // one owner more, same counter
            thread::spawn(move || {
                for _ in 0..increments {
                    *counter.lock().expect("not poisoned") += 1;
                } // each guard is dropped at the end of its statement: unlocked
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("a counting thread panicked");
    }
    *counter.lock().expect("not poisoned")
}
// ANCHOR_END: mutex

// ANCHOR: rwlock
/// Settings that many threads read and one thread occasionally replaces.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub version: u32,
    pub name: String,
}

/// `readers` threads read the settings while two writers publish `updates`
/// new versions between them; returns, per reader, the versions it saw in
/// order.
pub fn rwlock_readers(readers: usize, updates: u32) -> Vec<Vec<u32>> {
    let settings = RwLock::new(Settings {
        version: 0,
        name: "v0".into(),
    });
    thread::scope(|scope| {
        let seen: Vec<_> = (0..readers)
            .map(|_| {
                scope.spawn(|| {
                    let mut versions = Vec::new();
                    loop {
                        // Any number of readers may hold the lock at once.
                        let now = settings.read().expect("not poisoned");
                        assert_eq!(now.name, format!("v{}", now.version));
                        if versions.last() != Some(&now.version) {
                            versions.push(now.version);
                        }
                        if now.version == updates {
                            return versions;
                        }
                        drop(now);
                        thread::yield_now(); // let the writers have a core
                    }
                })
            })
            .collect();
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    // A writer waits until nobody else holds the lock, then
                    // has it alone: no reader, and not the other writer.
                    let mut now = settings.write().expect("not poisoned");
                    if now.version == updates {
                        return;
                    }
                    now.version += 1;
                    // Half updated: a reader let in now would see the new
                    // version with the old name.
                    thread::yield_now();
                    now.name = format!("v{}", now.version);
                    drop(now);
                    thread::yield_now();
                }
            });
        }
        seen.into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect()
    })
}
// ANCHOR_END: rwlock

// ANCHOR: bounded
/// A queue of at most `capacity` items: `push` waits while it is full, `pop`
/// waits while it is empty, and `close` tells waiting consumers to stop.
pub struct BoundedBuffer<T> {
    state: Mutex<State<T>>,
    not_full: Condvar,
    not_empty: Condvar,
    capacity: usize,
}

struct State<T> {
    items: VecDeque<T>,
    closed: bool,
    most_held: usize,
}

impl<T> BoundedBuffer<T> {
    pub fn new(capacity: usize) -> Self {
        assert!(capacity > 0, "a buffer of capacity 0 could never accept");
        BoundedBuffer {
            state: Mutex::new(State {
                items: VecDeque::with_capacity(capacity),
                closed: false,
                most_held: 0,
            }),
            not_full: Condvar::new(),
            not_empty: Condvar::new(),
            capacity,
        }
    }

    pub fn push(&self, item: T) {
        let state = self.state.lock().expect("not poisoned");
        // `wait_while` unlocks, sleeps, and re-locks; it re-checks the
        // condition after every wake-up, because a wake-up is only a hint.
        let mut state = self
            .not_full
            .wait_while(state, |s| s.items.len() == self.capacity)
            .expect("not poisoned");
        state.items.push_back(item);
        state.most_held = state.most_held.max(state.items.len());
        drop(state); // wake a consumer after unlocking, so it can take the lock
        self.not_empty.notify_one();
    }

    /// The next item, or `None` once the buffer is closed and empty.
    pub fn pop(&self) -> Option<T> {
        let state = self.state.lock().expect("not poisoned");
        let mut state = self
            .not_empty
            .wait_while(state, |s| s.items.is_empty() && !s.closed)
            .expect("not poisoned");
        let item = state.items.pop_front();
        drop(state);
        self.not_full.notify_one();
        item
    }

    pub fn close(&self) {
        self.state.lock().expect("not poisoned").closed = true;
        self.not_empty.notify_all(); // every waiting consumer must see it
    }
}
// ANCHOR_END: bounded

impl<T> BoundedBuffer<T> {
    /// The largest number of items the buffer ever held at once.
    pub fn most_held(&self) -> usize {
        self.state.lock().expect("not poisoned").most_held
    }
}

// ANCHOR: produce
/// `producers` threads push `per_producer` numbered items each through a
/// buffer of `capacity`; `consumers` threads pop until it is closed.
/// Returns every item received (in arrival order) and the buffer's high mark.
pub fn produce_consume(
    producers: usize,
    consumers: usize,
    per_producer: usize,
    capacity: usize,
) -> (Vec<usize>, usize) {
    let buffer = BoundedBuffer::new(capacity);
    let received = thread::scope(|scope| {
        let takers: Vec<_> = (0..consumers)
            .map(|_| {
                scope.spawn(|| {
                    let mut got = Vec::new();
                    while let Some(item) = buffer.pop() {
                        got.push(item);
                    }
                    got
                })
            })
            .collect();
        let makers: Vec<_> = (0..producers)
            .map(|p| {
                let buffer = &buffer;
                scope.spawn(move || {
                    for i in 0..per_producer {
                        buffer.push(p * per_producer + i);
                    }
                })
            })
            .collect();
        for maker in makers {
            maker.join().expect("a producer panicked");
        }
        buffer.close(); // only after every producer is done
        takers
            .into_iter()
            .flat_map(|t| t.join().expect("a consumer panicked"))
            .collect()
    });
    (received, buffer.most_held())
}
// ANCHOR_END: produce

// ANCHOR: barrier
/// Each thread computes a part in phase one; the barrier makes every thread
/// wait until all parts exist; in phase two each thread reads all of them.
/// Returns the total each thread saw.
pub fn barrier_phases(threads: usize) -> Vec<u64> {
    let parts = Mutex::new(vec![0u64; threads]);
    let barrier = Barrier::new(threads);
    thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|me| {
                let (parts, barrier) = (&parts, &barrier);
                scope.spawn(move || {
                    parts.lock().expect("not poisoned")[me] = me as u64 + 1;
                    barrier.wait(); // nobody passes until all have arrived
                    parts.lock().expect("not poisoned").iter().sum::<u64>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect()
    })
}
// ANCHOR_END: barrier
