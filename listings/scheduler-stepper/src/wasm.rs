//! The page's interface, a few C-like functions: text goes in through
//! [`input`] and comes out through [`output_ptr`] and [`output_len`].
//! Each puzzle on a page is opened once and keeps its own [`Stepper`].

use std::cell::RefCell;

use crate::{Move, Stepper, outcomes_json, puzzle, view_json};

thread_local! {
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static OUTPUT: RefCell<String> = const { RefCell::new(String::new()) };
    static OPEN: RefCell<Vec<Stepper>> = const { RefCell::new(Vec::new()) };
}

fn answer(text: String) {
    OUTPUT.with(|out| *out.borrow_mut() = text);
}

fn with<R>(handle: usize, f: impl FnOnce(&mut Stepper) -> R) -> Option<R> {
    OPEN.with(|open| open.borrow_mut().get_mut(handle).map(f))
}

/// Room for `len` bytes of input; the page writes a puzzle's id there.
#[unsafe(no_mangle)]
pub extern "C" fn input(len: usize) -> *mut u8 {
    INPUT.with(|input| {
        let mut input = input.borrow_mut();
        input.clear();
        input.resize(len, 0);
        input.as_mut_ptr()
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn output_ptr() -> *const u8 {
    OUTPUT.with(|out| out.borrow().as_ptr())
}

#[unsafe(no_mangle)]
pub extern "C" fn output_len() -> usize {
    OUTPUT.with(|out| out.borrow().len())
}

/// Opens the puzzle named by the input: its handle, or -1 with the reason
/// as output.
#[unsafe(no_mangle)]
pub extern "C" fn open() -> i32 {
    let id = INPUT
        .with(|input| String::from_utf8_lossy(&input.borrow()).into_owned());
    match puzzle(&id) {
        Ok(puzzle) => OPEN.with(|open| {
            let mut open = open.borrow_mut();
            open.push(Stepper::new(puzzle));
            i32::try_from(open.len() - 1).unwrap_or(-1)
        }),
        Err(error) => {
            answer(error);
            -1
        }
    }
}

/// One step: 0, or -1 with the reason as output.
#[unsafe(no_mangle)]
pub extern "C" fn step(handle: usize, thread: usize, choice: usize) -> i32 {
    let done = with(handle, |s| s.step(Move { thread, choice }));
    match done {
        Some(Ok(())) => 0,
        Some(Err(error)) => {
            answer(error);
            -1
        }
        None => {
            answer(format!("no open puzzle {handle}"));
            -1
        }
    }
}

/// Takes back a step: 1, or 0 at the start.
#[unsafe(no_mangle)]
pub extern "C" fn undo(handle: usize) -> i32 {
    i32::from(with(handle, Stepper::undo).unwrap_or(false))
}

#[unsafe(no_mangle)]
pub extern "C" fn restart(handle: usize) {
    with(handle, Stepper::restart);
}

/// The state to draw, as JSON output; 0 for an unknown handle.
#[unsafe(no_mangle)]
pub extern "C" fn view(handle: usize) -> usize {
    let text = with(handle, |s| view_json(s)).unwrap_or_default();
    answer(text);
    output_len()
}

/// Every final state, as JSON output; 0 for an unknown handle.
#[unsafe(no_mangle)]
pub extern "C" fn outcomes(handle: usize) -> usize {
    let text = with(handle, |s| outcomes_json(s.puzzle)).unwrap_or_default();
    answer(text);
    output_len()
}
