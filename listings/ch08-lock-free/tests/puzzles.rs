//! The "be the scheduler" puzzles of chapter 8 as Rust, model-checked: loom
//! runs each under every interleaving, and the final states it reaches must
//! be exactly the ones the page lists (`scheduler-stepper`'s enumerator).

use loom::sync::Arc;
use loom::sync::atomic::AtomicI64;
use loom::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use loom::thread;
use scheduler_stepper::check::assert_loom_agrees;

/// One attempt to add one; whether it succeeded.
fn cas_once(counter: &AtomicI64) -> bool {
    let seen = counter.load(Relaxed);
    counter
        .compare_exchange(seen, seen + 1, Relaxed, Relaxed)
        .is_ok()
}

#[test]
fn one_compare_and_swap_each() {
    assert_loom_agrees("ch08-cas-once", || {
        let counter = Arc::new(AtomicI64::new(0));
        let t2 = {
            let counter = Arc::clone(&counter);
            thread::spawn(move || cas_once(&counter))
        };
        let ok1 = i64::from(cas_once(&counter));
        let ok2 = i64::from(t2.join().unwrap());
        let n = counter.load(Relaxed);
        Some(format!("counter = {n}, T1.ok = {ok1}, T2.ok = {ok2}"))
    });
}

/// A Treiber stack's head and the `next` fields of nodes 1 and 2, as
/// numbers: 0 is the empty stack.
#[derive(Default)]
struct Stack {
    head: AtomicI64,
    next: [AtomicI64; 2],
}

impl Stack {
    fn next(&self, node: i64) -> &AtomicI64 {
        &self.next[usize::from(node == 2)]
    }

    /// Pushes with a plain store of the new head: wrong.
    fn store_push(&self, node: i64) {
        let old = self.head.load(Acquire);
        self.next(node).store(old, Relaxed);
        self.head.store(node, Release);
    }

    /// Pushes with compare-and-swap, retrying until the head is unchanged.
    fn cas_push(&self, node: i64) {
        loop {
            let old = self.head.load(Acquire);
            self.next(node).store(old, Relaxed);
            let ok = self
                .head
                .compare_exchange(old, node, Release, Relaxed)
                .is_ok();
            if ok {
                break;
            }
        }
    }
}

fn two_pushes(push: fn(&Stack, i64)) -> Option<String> {
    let stack = Arc::new(Stack::default());
    let pushes: Vec<_> = [1, 2]
        .into_iter()
        .map(|node| {
            let stack = Arc::clone(&stack);
            thread::spawn(move || push(&stack, node))
        })
        .collect();
    for push in pushes {
        push.join().unwrap();
    }
    Some(format!(
        "head = {}, next1 = {}, next2 = {}",
        stack.head.load(Relaxed),
        stack.next(1).load(Relaxed),
        stack.next(2).load(Relaxed)
    ))
}

#[test]
fn push_with_a_store_loses_a_node() {
    assert_loom_agrees("ch08-lost-push", || two_pushes(Stack::store_push));
}

#[test]
fn push_with_compare_and_swap_loses_none() {
    assert_loom_agrees("ch08-cas-push", || two_pushes(Stack::cas_push));
}
