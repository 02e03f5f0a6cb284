//! The three generators produce exactly the same sequence for every tree, and
//! stop where they should.

use std::rc::Rc;

use ch14_generators_three_ways::{
    InOrder, Tree, count_to, walk_into, walk_with_coroutine,
};

#[test]
fn every_way_yields_one_to_n_in_order_for_every_depth() {
    for depth in 0..=14 {
        let tree = Rc::new(Tree::complete(depth));
        let expected: Vec<u32> = (1..1 << depth).collect();
        let mut recursive = Vec::new();
        walk_into(&tree, &mut recursive);
        assert_eq!(recursive, expected, "depth {depth}");
        assert_eq!(
            InOrder::new(&tree).collect::<Vec<_>>(),
            expected,
            "depth {depth}"
        );
        let coroutine =
            walk_with_coroutine(Rc::clone(&tree), 64 * 1024).expect("a stack");
        assert_eq!(coroutine, expected, "depth {depth}");
    }
}

#[test]
fn an_iterator_can_stop_early_and_keeps_only_the_path() {
    let tree = Tree::complete(10);
    let mut walk = InOrder::new(&tree);
    assert_eq!(walk.by_ref().take(3).collect::<Vec<_>>(), [1, 2, 3]);
    // It resumes exactly where it stopped.
    assert_eq!(walk.next(), Some(4));
    assert_eq!(walk.count(), 1023 - 4);
}

#[test]
fn stress_many_coroutines_one_after_another() {
    let tree = Rc::new(Tree::complete(8));
    let expected: Vec<u32> = (1..256).collect();
    for _ in 0..200 {
        let values =
            walk_with_coroutine(Rc::clone(&tree), 32 * 1024).expect("a stack");
        assert_eq!(values, expected);
    }
}

#[test]
fn the_async_fn_adds_up_and_awaits_once_per_number() {
    let mut seen = Vec::new();
    let total = block_on(count_to(5, async |n| seen.push(n)));
    assert_eq!(total, 15);
    assert_eq!(seen, [1, 2, 3, 4, 5]);
}

/// A minimal executor: the future never waits on anything external, so polling
/// it in a loop with a no-op waker runs it to completion.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(value) =
            future.as_mut().poll(&mut context)
        {
            return value;
        }
    }
}
