//! A generator is a function that can stop in the middle, hand out a value, and
//! later continue where it stopped. This crate writes the same one — the
//! in-order walk of a binary tree — in the two ways stable Rust allows, and
//! measures what each keeps.

use std::rc::Rc;

use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult, Yielder};

/// A binary tree of numbers.
#[derive(Debug)]
pub enum Tree {
    Leaf,
    Node(Box<Tree>, u32, Box<Tree>),
}

impl Tree {
    /// A complete tree of the given depth whose in-order walk yields 1, 2, 3,
    /// ...
    pub fn complete(depth: u32) -> Tree {
        fn build(depth: u32, first: u32) -> Tree {
            if depth == 0 {
                return Tree::Leaf;
            }
            let left_size = (1 << (depth - 1)) - 1;
            let value = first + left_size;
            let left = build(depth - 1, first);
            let right = build(depth - 1, value + 1);
            Tree::Node(Box::new(left), value, Box::new(right))
        }
        build(depth, 1)
    }
}

// ANCHOR: recursive
/// The walk as everyone first writes it: recursion, pushing into a vector.
/// Simple, but it must finish the whole walk before the caller sees the first
/// value.
pub fn walk_into(tree: &Tree, out: &mut Vec<u32>) {
    if let Tree::Node(left, value, right) = tree {
        walk_into(left, out);
        out.push(*value);
        walk_into(right, out);
    }
}
// ANCHOR_END: recursive

// ANCHOR: iterator
/// Stackless, by hand: the recursion's call stack becomes an explicit `Vec` of
/// nodes still to visit, and `next` is written as a resumable step.
pub struct InOrder<'a> {
    pending: Vec<&'a Tree>,
    current: &'a Tree,
}

impl<'a> InOrder<'a> {
    pub fn new(tree: &'a Tree) -> Self {
        InOrder {
            pending: Vec::new(),
            current: tree,
        }
    }
}

impl<'a> Iterator for InOrder<'a> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        // Go left as far as possible, remembering the way back.
        while let Tree::Node(left, _, _) = self.current {
            self.pending.push(self.current);
            self.current = left;
        }
        let Tree::Node(_, value, right) = self.pending.pop()? else {
            unreachable!("only nodes are pushed");
        };
        self.current = right;
        Some(*value)
    }
}
// ANCHOR_END: iterator

// ANCHOR: coroutine
/// Stackful: the same recursion as `walk_into`, but each value is handed out
/// with `suspend`, from however deep in the recursion the walk is. The
/// coroutine has its own stack, so all those half-finished calls simply wait on
/// it.
fn walk_yielding(tree: &Tree, yielder: &Yielder<(), u32>) {
    if let Tree::Node(left, value, right) = tree {
        walk_yielding(left, yielder);
        yielder.suspend(*value);
        walk_yielding(right, yielder);
    }
}

/// Runs the walk as a coroutine on a stack of `stack_bytes` and collects what
/// it yields, resuming it once per value. (A coroutine may outlive the call
/// that made it, so it shares the tree through an `Rc` rather than borrowing
/// it.)
pub fn walk_with_coroutine(
    tree: Rc<Tree>,
    stack_bytes: usize,
) -> std::io::Result<Vec<u32>> {
    let stack = DefaultStack::new(stack_bytes)?;
    let mut walk =
        Coroutine::with_stack(stack, move |yielder: &Yielder<(), u32>, ()| {
            walk_yielding(&tree, yielder);
        });
    let mut values = Vec::new();
    loop {
        match walk.resume(()) {
            CoroutineResult::Yield(value) => values.push(value),
            CoroutineResult::Return(()) => return Ok(values),
        }
    }
}
// ANCHOR_END: coroutine

// ANCHOR: async_size
/// An async fn is the compiler's own stackless generator: each `.await` is a
/// point where it can stop, and the future it returns holds exactly the
/// variables that live across those points. Its size is known at compile time.
pub async fn count_to(limit: u32, mut tick: impl AsyncFnMut(u32)) -> u32 {
    let mut total = 0;
    for n in 1..=limit {
        tick(n).await; // A suspension point: `n`, `total` and `tick` live across it.
        total += n;
    }
    total
}
// ANCHOR_END: async_size
