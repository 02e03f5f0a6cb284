//! The executor runs every future to completion, a future nobody wakes is
//! caught by a deadline instead of hanging the tests, and a value sent at
//! any moment of a poll still wakes the waiting thread.

use std::panic;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use ch11_futures_by_hand::{
    Executor, Timer, block_on, fetch_all, oneshot, poll_by_hand, yield_once,
};

/// Far more than any of these runs needs, even on a loaded machine.
const LIMIT: Duration = Duration::from_secs(30);

/// Long enough for a woken future to have finished many times over.
const NEVER: Duration = Duration::from_millis(500);

/// The panic message of `work`, which must panic.
fn panic_message(work: impl FnOnce() + panic::UnwindSafe) -> String {
    let payload = panic::catch_unwind(work).expect_err("the work panics");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(ToString::to_string))
        .unwrap_or_default()
}

#[test]
fn block_on_returns_what_another_thread_sends() {
    let value = finishes_within(LIMIT, || {
        let (sender, receiver) = oneshot();
        let sending = thread::spawn(move || {
            thread::sleep(Duration::from_millis(20));
            sender.send("sent");
        });
        let value = block_on(receiver);
        sending.join().expect("the sender does not panic");
        value
    });
    assert_eq!(value, "sent");
}

#[test]
fn a_value_sent_while_the_receiver_polls_always_wakes_it() {
    // The sender races the first poll: sometimes the value is there before
    // the check, sometimes it arrives after the waker is stored. A send that
    // slipped in between the two would be lost, and block_on would park for
    // ever.
    finishes_within(LIMIT, || {
        for round in 0..2_000_u32 {
            let (sender, receiver) = oneshot();
            let sending = thread::spawn(move || sender.send(round));
            assert_eq!(block_on(receiver), round);
            sending.join().expect("the sender does not panic");
        }
    });
}

#[test]
fn a_future_whose_waker_is_never_called_is_caught_by_the_deadline() {
    let message = panic_message(|| {
        finishes_within(NEVER, || {
            let (sender, receiver) = oneshot::<u32>();
            drop(sender); // nobody will send, so nobody will wake
            block_on(receiver)
        });
    });
    assert!(message.contains("did not finish"), "{message}");
}

#[test]
fn the_executor_runs_every_task_to_completion_once() {
    let done = Arc::new(Mutex::new(Vec::new()));
    let polls = finishes_within(LIMIT, {
        let done = Arc::clone(&done);
        move || {
            let mut executor = Executor::new();
            for task in 0..20_u64 {
                let done = Arc::clone(&done);
                executor.spawn(&format!("task {task}"), async move {
                    Timer::after(Duration::from_millis(task % 7)).await;
                    yield_once().await;
                    Timer::after(Duration::from_millis(task % 3)).await;
                    done.lock().expect("not poisoned").push(task);
                });
            }
            executor.run()
        }
    });
    let mut done = done.lock().expect("not poisoned").clone();
    done.sort_unstable();
    assert_eq!(done, (0..20).collect::<Vec<_>>());
    // A short timer may have fired before its first poll, but `yield_once`
    // is pending once every time: two polls per task at least.
    assert!(polls >= 2 * 20, "{polls} polls");
}

#[test]
fn a_task_nobody_wakes_keeps_the_executor_waiting_until_the_deadline() {
    let message = panic_message(|| {
        finishes_within(NEVER, || {
            let mut executor = Executor::new();
            executor.spawn("finishes", Timer::after(Duration::from_millis(5)));
            let (sender, receiver) = oneshot::<()>();
            drop(sender);
            executor.spawn("never woken", receiver);
            executor.run()
        });
    });
    assert!(message.contains("did not finish"), "{message}");
}

#[test]
fn the_pinned_future_keeps_its_borrow_across_the_await() {
    let answers = poll_by_hand([1, 2, 3, 4]);
    assert_eq!(answers.len(), 2, "{answers:?}");
    assert!(answers[0].is_pending());
    assert_eq!(answers[1], std::task::Poll::Ready((10, true)));
}

#[test]
fn buffer_unordered_runs_every_job_once_and_no_more_than_allowed() {
    let delays: Vec<Duration> =
        [9, 1, 4, 2, 7, 3].map(Duration::from_millis).to_vec();
    for in_flight in 1..=7 {
        let delays = delays.clone();
        let fetched =
            finishes_within(LIMIT, move || fetch_all(&delays, in_flight));
        let mut finished = fetched.finished.clone();
        finished.sort_unstable();
        assert_eq!(finished, (0..6).collect::<Vec<_>>(), "{fetched:?}");
        assert_eq!(fetched.most_in_flight, in_flight.min(6), "{fetched:?}");
    }
    // One at a time, the jobs finish in the order they were given.
    let one = fetch_all(&delays, 1);
    assert_eq!(one.finished, (0..6).collect::<Vec<_>>());
}
