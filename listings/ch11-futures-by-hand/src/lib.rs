//! Futures from the inside, with no runtime: two leaf futures that store the
//! `Waker` they are given, an executor that parks its thread until woken, a
//! task queue that runs several futures on one thread, and an `async fn`
//! whose future borrows from itself and so must be pinned.
//!
//! With tracing on ([`trace`]), every poll and every wake prints one line
//! naming the thread it happened on, so a run shows who woke whom.

use std::fmt;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

static TRACING: AtomicBool = AtomicBool::new(false);

/// Turns the one-line notes on polls and wakes on (the program) or off (the
/// tests, which run thousands of them).
pub fn trace(on: bool) {
    TRACING.store(on, Ordering::Relaxed);
}

/// Prints `[thread name] what` when tracing is on.
fn note(what: fmt::Arguments<'_>) {
    if TRACING.load(Ordering::Relaxed) {
        let current = thread::current();
        println!("[{}] {what}", current.name().unwrap_or("unnamed"));
    }
}

// ANCHOR: oneshot
/// What the two halves of a one-shot channel share: the value once it has
/// been sent, and the waker of the task waiting for it.
struct Slot<T> {
    value: Option<T>,
    waker: Option<Waker>,
}

/// The sending half: another thread completes the future with it.
pub struct Sender<T>(Arc<Mutex<Slot<T>>>);

/// The receiving half, a future of the value. A sender dropped without
/// sending leaves it pending forever: nothing will ever wake it.
pub struct Receiver<T>(Arc<Mutex<Slot<T>>>);

pub fn oneshot<T>() -> (Sender<T>, Receiver<T>) {
    let slot = Arc::new(Mutex::new(Slot {
        value: None,
        waker: None,
    }));
    (Sender(Arc::clone(&slot)), Receiver(slot))
}

impl<T> Future for Receiver<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut slot = self.0.lock().expect("not poisoned");
        match slot.value.take() {
            Some(value) => Poll::Ready(value),
            None => {
                // Stored under the same lock as the check: a `send` comes
                // either before the check (and is seen) or after the waker
                // is stored (and wakes it). Never in between.
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl<T> Sender<T> {
    pub fn send(self, value: T) {
        let waker = {
            let mut slot = self.0.lock().expect("not poisoned");
            slot.value = Some(value);
            slot.waker.take()
        };
        // Woken after the lock is released: the woken task may poll at
        // once, and its poll takes the same lock.
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}
// ANCHOR_END: oneshot

// ANCHOR: timer
/// A future that is ready `after` its first poll. The first poll starts a
/// thread that sleeps, then completes a one-shot; every poll asks the
/// one-shot. An I/O future does the same with the operating system's event
/// queue in place of the sleeping thread.
pub struct Timer {
    after: Duration,
    fired: Option<Receiver<()>>,
}

impl Timer {
    pub fn after(after: Duration) -> Self {
        Self { after, fired: None }
    }
}

impl Future for Timer {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let after = self.after;
        let fired = self.fired.get_or_insert_with(|| {
            let (done, fired) = oneshot();
            thread::Builder::new()
                .name(format!("timer {} ms", after.as_millis()))
                .spawn(move || {
                    thread::sleep(after);
                    done.send(());
                })
                .expect("the system can start a timer thread");
            fired
        });
        // `Receiver` holds only an `Arc`: it is `Unpin`, so it can be
        // pinned in place for the call without any promise.
        Pin::new(fired).poll(cx)
    }
}
// ANCHOR_END: timer

/// A future that logs each poll of the future it wraps and what it answered.
pub struct Traced<F> {
    name: &'static str,
    polls: usize,
    inner: F,
}

impl<F: Future + Unpin> Traced<F>
where
    F::Output: fmt::Debug,
{
    pub fn new(name: &'static str, inner: F) -> Self {
        Self {
            name,
            polls: 0,
            inner,
        }
    }
}

impl<F: Future + Unpin> Future for Traced<F>
where
    F::Output: fmt::Debug,
{
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.polls += 1;
        let answer = Pin::new(&mut self.inner).poll(cx);
        note(format_args!(
            "poll {} of '{}': {answer:?}",
            self.polls, self.name
        ));
        answer
    }
}

// ANCHOR: block_on
/// The waker of `block_on`: a flag that says a wake really came (a parked
/// thread may also wake up for no reason), and the thread to unpark.
struct ThreadWaker {
    thread: Thread,
    woken: AtomicBool,
}

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        note(format_args!(
            "wake: unpark thread '{}'",
            self.thread.name().unwrap_or("unnamed")
        ));
        self.woken.store(true, Ordering::Release);
        self.thread.unpark();
    }
}

/// Runs `future` to completion on the calling thread: poll it, and while it
/// is pending, sleep until its waker is called.
pub fn block_on<F: Future>(future: F) -> F::Output {
    // Polling needs `Pin<&mut F>`: `pin!` pins the future on this stack
    // frame, which it will not leave until it is dropped.
    let mut future = pin!(future);
    let signal = Arc::new(ThreadWaker {
        thread: thread::current(),
        woken: AtomicBool::new(false),
    });
    let waker = Waker::from(Arc::clone(&signal));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        note(format_args!("block_on: Pending, park this thread"));
        // An `unpark` before `park` is not lost: `park` then returns at once.
        while !signal.woken.swap(false, Ordering::Acquire) {
            thread::park();
        }
    }
}
// ANCHOR_END: block_on

// ANCHOR: executor
type BoxedFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A spawned future, and the way back into the run queue. The task *is* its
/// own waker: waking it sends it to the queue.
struct Task {
    name: String,
    future: Mutex<Option<BoxedFuture>>,
    queue: mpsc::Sender<Arc<Task>>,
}

impl Wake for Task {
    fn wake(self: Arc<Self>) {
        note(format_args!("wake: queue task '{}'", self.name));
        // The executor may have stopped; then there is nobody to run it.
        let _ = self.queue.send(Arc::clone(&self));
    }
}

/// Runs any number of futures, one poll at a time, on the thread that calls
/// [`Executor::run`].
pub struct Executor {
    queue: mpsc::Sender<Arc<Task>>,
    ready: mpsc::Receiver<Arc<Task>>,
    unfinished: usize,
}

impl Executor {
    pub fn new() -> Self {
        let (queue, ready) = mpsc::channel();
        Self {
            queue,
            ready,
            unfinished: 0,
        }
    }

    /// Queues `future` for its first poll. `Send` because its waker, and
    /// with it the task, may travel to any thread.
    pub fn spawn(
        &mut self,
        name: &str,
        future: impl Future<Output = ()> + Send + 'static,
    ) {
        let task = Arc::new(Task {
            name: name.to_string(),
            future: Mutex::new(Some(Box::pin(future))),
            queue: self.queue.clone(),
        });
        self.queue
            .send(task)
            .expect("the executor holds the receiver");
        self.unfinished += 1;
    }

    /// Polls queued tasks until every task has finished; returns how many
    /// polls that took. Blocks while every unfinished task is pending.
    pub fn run(mut self) -> usize {
        let mut polls = 0;
        while self.unfinished > 0 {
            let task = self.ready.recv().expect("the executor holds a sender");
            let mut slot = task.future.lock().expect("not poisoned");
            let Some(future) = slot.as_mut() else {
                continue; // woken again after it finished
            };
            let waker = Waker::from(Arc::clone(&task));
            polls += 1;
            let answer = future.as_mut().poll(&mut Context::from_waker(&waker));
            note(format_args!("poll task '{}': {answer:?}", task.name));
            if answer.is_ready() {
                *slot = None; // drops the future and what it holds
                self.unfinished -= 1;
            }
        }
        polls
    }
}
// ANCHOR_END: executor

impl Default for Executor {
    fn default() -> Self {
        Self::new()
    }
}

/// A future that is pending once (after asking to be polled again at once),
/// then ready: the smallest `.await` that gives the executor a turn.
pub struct YieldOnce(bool);

pub fn yield_once() -> YieldOnce {
    YieldOnce(false)
}

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

// ANCHOR: self_referential
/// Sums `numbers` through a reference held across an `.await`. The
/// reference points into the future's own state, where `numbers` lives
/// while the future is suspended: moving the future after the first poll
/// would leave it pointing at the old place.
pub async fn sum_across_an_await(numbers: [u64; 4]) -> (u64, bool) {
    let borrowed = &numbers;
    let before = std::ptr::from_ref(borrowed);
    yield_once().await; // suspended here, `borrowed` saved in the future
    let still_there = std::ptr::eq(before, &raw const numbers);
    (borrowed.iter().sum(), still_there)
}
// ANCHOR_END: self_referential

// ANCHOR: poll_by_hand
/// Polls the future of [`sum_across_an_await`] by hand until it is ready;
/// returns every answer in order.
pub fn poll_by_hand(numbers: [u64; 4]) -> Vec<Poll<(u64, bool)>> {
    // Not `Unpin`: the compiler cannot rule out a borrow of its own state.
    // `pin!` moves it into a place it will not leave, and hands out a
    // `Pin<&mut _>`, the only way to reach `poll`.
    let mut future = pin!(sum_across_an_await(numbers));
    // A waker that does nothing: this loop polls again anyway.
    let mut cx = Context::from_waker(Waker::noop());
    let mut answers = vec![future.as_mut().poll(&mut cx)];
    while answers.last().is_some_and(Poll::is_pending) {
        answers.push(future.as_mut().poll(&mut cx));
    }
    answers
}
// ANCHOR_END: poll_by_hand

/// What [`fetch_all`] saw: the jobs in the order they finished, and the
/// most that were ever under way at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub finished: Vec<usize>,
    pub most_in_flight: usize,
}

// ANCHOR: buffered
/// Runs one timer job per delay, at most `in_flight` at a time, with the
/// futures crate's `buffer_unordered` on this module's `block_on`: a stream
/// combinator needs a waker, not a particular runtime.
pub fn fetch_all(delays: &[Duration], in_flight: usize) -> Fetched {
    use futures::stream::{self, StreamExt};
    use std::sync::atomic::AtomicUsize;

    let under_way = AtomicUsize::new(0);
    let most = AtomicUsize::new(0);
    let jobs = stream::iter(delays.iter().enumerate()).map(|(job, &delay)| {
        let (under_way, most) = (&under_way, &most);
        async move {
            let now = under_way.fetch_add(1, Ordering::Relaxed) + 1;
            most.fetch_max(now, Ordering::Relaxed);
            Timer::after(delay).await;
            under_way.fetch_sub(1, Ordering::Relaxed);
            job
        }
    });
    let finished = block_on(jobs.buffer_unordered(in_flight).collect());
    Fetched {
        finished,
        most_in_flight: most.into_inner(),
    }
}
// ANCHOR_END: buffered
