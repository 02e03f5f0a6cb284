//! The same generator written stackless by hand and stackful with a coroutine.

use std::mem::size_of_val;
use std::process::ExitCode;
use std::rc::Rc;

use book_helpers::cli;
use ch14_generators_three_ways::{
    InOrder, Tree, count_to, walk_into, walk_with_coroutine,
};
use clap::Parser;

/// Walks a complete binary tree in order three ways (recursion into a vector, a
/// hand-written Iterator, a stackful coroutine) and reports what each keeps in
/// memory.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Depth of the tree (1 to 20): it holds 2^depth - 1 numbers.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=20))]
    depth: u32,
}

/// The coroutine's own stack; the walk's recursion, however deep, lives here.
const COROUTINE_STACK: usize = 64 * 1024;

// ANCHOR: main
fn main() -> ExitCode {
    let args = Args::parse();
    let tree = Rc::new(Tree::complete(args.depth));

    let mut recursive = Vec::new();
    walk_into(&tree, &mut recursive);
    let iterated: Vec<u32> = InOrder::new(&tree).collect();
    let coroutine = match walk_with_coroutine(Rc::clone(&tree), COROUTINE_STACK)
    {
        Ok(values) => values,
        Err(error) => {
            let why = format!("cannot allocate a coroutine stack: {error}");
            return cli::exit_code(Err(why));
        }
    };

    println!(
        "in-order walk of a tree of depth {}: {} numbers",
        args.depth,
        recursive.len()
    );
    println!("first ten: {:?}", &recursive[..recursive.len().min(10)]);
    println!(
        "iterator and coroutine agree with plain recursion: {}",
        iterated == recursive && coroutine == recursive
    );
    println!();
    println!("what each generator keeps while it is paused:");
    let iterator = InOrder::new(&tree);
    println!(
        "  hand-written Iterator: {} bytes, plus a Vec of up to {} node pointers",
        size_of_val(&iterator),
        args.depth
    );
    println!(
        "  corosensei coroutine:  a separate stack of {} KiB, \
         whatever the recursion needs",
        COROUTINE_STACK / 1024
    );
    let future = count_to(3, async |_| {});
    println!(
        "  async fn future:       {} bytes, fixed by the compiler",
        size_of_val(&future)
    );
    ExitCode::SUCCESS
}
// ANCHOR_END: main
