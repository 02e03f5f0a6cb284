//! A Treiber stack: a linked list whose head is swapped with
//! compare-and-swap, and whose popped nodes are freed by crossbeam-epoch
//! only when no thread can still be reading them.

use std::mem::ManuallyDrop;
use std::ptr;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};

use crossbeam_epoch::{self as epoch, Atomic, Owned};

// ANCHOR: stack
pub struct TreiberStack<T> {
    head: Atomic<Node<T>>,
}

struct Node<T> {
    // Moved out by the one `pop` that unlinks the node, never dropped twice.
    value: ManuallyDrop<T>,
    next: Atomic<Node<T>>,
}

impl<T> TreiberStack<T> {
    pub fn new() -> Self {
        TreiberStack {
            head: Atomic::null(),
        }
    }

    pub fn push(&self, value: T) {
        let mut node = Owned::new(Node {
            value: ManuallyDrop::new(value),
            next: Atomic::null(),
        });
        let guard = epoch::pin();
        loop {
            let head = self.head.load(Relaxed, &guard);
            node.next.store(head, Relaxed);
            // Release: the node's contents are visible to whoever pops it.
            match self
                .head
                .compare_exchange(head, node, Release, Relaxed, &guard)
            {
                Ok(_) => return,
                Err(failed) => node = failed.new, // someone else won: retry
            }
        }
    }

    pub fn pop(&self) -> Option<T> {
        let guard = epoch::pin(); // announces: I may be reading nodes now
        loop {
            let head = self.head.load(Acquire, &guard);
            // SAFETY: `head` was loaded under `guard`, so even if another
            // thread pops it meanwhile, its memory is not freed before we
            // unpin.
            let node = unsafe { head.as_ref() }?;
            let next = node.next.load(Relaxed, &guard);
            if self
                .head
                .compare_exchange(head, next, Relaxed, Relaxed, &guard)
                .is_ok()
            {
                // SAFETY: our exchange unlinked the node, so we alone take
                // its value; freeing waits until every thread pinned now
                // has unpinned.
                unsafe {
                    let value = ptr::read(&*node.value);
                    guard.defer_destroy(head);
                    return Some(value);
                }
            }
        }
    }
}
// ANCHOR_END: stack

impl<T> Default for TreiberStack<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Drop for TreiberStack<T> {
    fn drop(&mut self) {
        // `&mut self`: no other thread can touch the stack any more.
        while self.pop().is_some() {}
    }
}
