//! The "be the scheduler" puzzles of chapter 7 as Rust, model-checked: loom
//! explores every interleaving and every store each load may read, and the
//! final states must be exactly the ones the page lists. The page follows
//! release/acquire views (`scheduler-stepper`'s `machine` module), which is
//! loom's model too: neither lets a load read a store that comes later in
//! the execution (no load buffering), and these puzzles use no SeqCst
//! access, which loom would treat as AcqRel; SeqCst appears as a fence,
//! which loom models.

use loom::sync::Arc;
use loom::sync::atomic::Ordering::{self, Acquire, Relaxed, Release, SeqCst};
use loom::sync::atomic::{AtomicI64, fence};
use loom::thread;
use scheduler_stepper::check::assert_loom_agrees;

/// The writer stores data, then raises the flag with `raise`; the reader
/// reads the flag with `read`, then the data.
fn message_passing(raise: Ordering, read: Ordering) -> Option<String> {
    let data = Arc::new(AtomicI64::new(0));
    let ready = Arc::new(AtomicI64::new(0));
    let writer = {
        let (data, ready) = (Arc::clone(&data), Arc::clone(&ready));
        thread::spawn(move || {
            data.store(42, Relaxed);
            ready.store(1, raise);
        })
    };
    let seen = ready.load(read);
    let got = data.load(Relaxed);
    writer.join().unwrap();
    Some(format!("reader.seen = {seen}, reader.got = {got}"))
}

#[test]
fn relaxed_flag() {
    assert_loom_agrees("ch07-relaxed-flag", || {
        message_passing(Relaxed, Relaxed)
    });
}

#[test]
fn release_acquire() {
    assert_loom_agrees("ch07-release-acquire", || {
        message_passing(Release, Acquire)
    });
}

/// Each thread stores 1 to its own variable, then loads the other's; with
/// `fenced`, a SeqCst fence sits between and the accesses are Relaxed.
fn store_buffering(fenced: bool) -> Option<String> {
    let x = Arc::new(AtomicI64::new(0));
    let y = Arc::new(AtomicI64::new(0));
    let (store, load) = if fenced {
        (Relaxed, Relaxed)
    } else {
        (Release, Acquire)
    };
    let side = move |mine: &AtomicI64, theirs: &AtomicI64| {
        mine.store(1, store);
        if fenced {
            fence(SeqCst);
        }
        theirs.load(load)
    };
    let t2 = {
        let (x, y) = (Arc::clone(&x), Arc::clone(&y));
        thread::spawn(move || side(&y, &x))
    };
    let r1 = side(&x, &y);
    let r2 = t2.join().unwrap();
    Some(format!("T1.r1 = {r1}, T2.r2 = {r2}"))
}

#[test]
fn store_buffering_with_release_acquire() {
    assert_loom_agrees("ch07-store-buffering", || store_buffering(false));
}

#[test]
fn store_buffering_with_seq_cst_fences() {
    assert_loom_agrees("ch07-seqcst-fence", || store_buffering(true));
}
