//! The state of a running puzzle and one step of one thread.
//!
//! Memory is a list of stores per variable, in modification order; a new
//! store joins the end. Each thread has a *view*: for every variable, the
//! oldest store it may still read. Reading or writing a store moves the view
//! up to it. A Release store (or any store after a Release fence) carries
//! its thread's view; an Acquire load that reads it, or an Acquire fence
//! after a Relaxed load that read it, joins that view into the reader's.
//! A SeqCst fence also joins one global view and leaves its own there.
//! Locks and channels carry views from unlock to lock and from send to
//! receive. Under [`Model::Interleaving`] every load reads the newest
//! store, which is sequential consistency.

use std::collections::VecDeque;

use crate::program::{Model, Op, Ordering, Puzzle, Test, Value};

/// For each variable, the index of the oldest store still readable.
pub type View = Vec<usize>;

fn join(into: &mut View, other: &View) {
    for (mine, theirs) in into.iter_mut().zip(other) {
        *mine = (*mine).max(*theirs);
    }
}

#[derive(Debug, Clone)]
struct Write {
    value: i64,
    /// The view a reader acquires from this store, if it releases one.
    view: Option<View>,
}

#[derive(Debug, Clone)]
struct ThreadState {
    next: usize,
    locals: Vec<Option<i64>>,
    view: View,
    /// Views released by stores this thread read without acquiring: an
    /// Acquire fence takes them.
    pending: View,
    /// The view at this thread's last Release fence, which its later
    /// Relaxed stores carry.
    fenced: Option<View>,
}

/// What one thread is doing now, as the page draws it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ready,
    /// Waits for a lock another thread holds, or on an empty channel.
    Waiting,
    Done,
}

/// The whole machine between two steps.
#[derive(Debug, Clone)]
pub struct State {
    memory: Vec<Vec<Write>>,
    threads: Vec<ThreadState>,
    /// Who holds each lock, and the view its last unlock released.
    locks: Vec<(Option<usize>, View)>,
    channels: Vec<VecDeque<(i64, View)>>,
    seq_cst: View,
}

/// One choice of the scheduler: which thread steps, and for a load that
/// may read more than one store, which store (0 is the oldest allowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Move {
    pub thread: usize,
    pub choice: usize,
}

impl State {
    pub fn new(puzzle: &Puzzle) -> State {
        let vars = puzzle.vars.len();
        let thread = |t: usize| ThreadState {
            next: 0,
            locals: vec![None; puzzle.locals(t).len()],
            view: vec![0; vars],
            pending: vec![0; vars],
            fenced: None,
        };
        State {
            memory: puzzle
                .vars
                .iter()
                .map(|&(_, value)| vec![Write { value, view: None }])
                .collect(),
            threads: (0..puzzle.threads.len()).map(thread).collect(),
            locks: vec![(None, vec![0; vars]); puzzle.locks.len()],
            channels: vec![VecDeque::new(); puzzle.channels.len()],
            seq_cst: vec![0; vars],
        }
    }

    /// The index of the step a thread takes next, if it has one left.
    pub fn next_step(&self, puzzle: &Puzzle, thread: usize) -> Option<usize> {
        let next = self.threads[thread].next;
        (next < puzzle.threads[thread].steps.len()).then_some(next)
    }

    pub fn status(&self, puzzle: &Puzzle, thread: usize) -> Status {
        let Some(next) = self.next_step(puzzle, thread) else {
            return Status::Done;
        };
        let waits = match puzzle.threads[thread].steps[next].op {
            Op::Lock(lock) => self.holder(puzzle, lock).is_some(),
            Op::Recv(channel, _) => self.queue(puzzle, channel).is_empty(),
            _ => false,
        };
        if waits {
            Status::Waiting
        } else {
            Status::Ready
        }
    }

    /// The labels of a ready thread's possible next steps: one, unless it
    /// loads under [`Model::Views`] and more than one store is visible.
    pub fn choices(&self, puzzle: &Puzzle, thread: usize) -> Vec<String> {
        if self.status(puzzle, thread) != Status::Ready {
            return Vec::new();
        }
        let step = puzzle.threads[thread].steps[self.threads[thread].next];
        match step.op {
            Op::Load { var, .. } if puzzle.model == Model::Views => {
                let v = var_index(puzzle, var);
                let from = self.threads[thread].view[v];
                let stores = &self.memory[v][from..];
                if stores.len() == 1 {
                    vec![String::new()]
                } else {
                    stores
                        .iter()
                        .map(|w| format!("reads {}", w.value))
                        .collect()
                }
            }
            _ => vec![String::new()],
        }
    }

    /// Takes one step; `Err` when the move is not one of the choices.
    pub fn step(&mut self, puzzle: &Puzzle, m: Move) -> Result<(), String> {
        let Some(t) = (m.thread < self.threads.len()).then_some(m.thread)
        else {
            return Err(format!("there is no thread {}", m.thread));
        };
        let choices = self.choices(puzzle, t).len();
        if m.choice >= choices {
            return Err(match self.status(puzzle, t) {
                Status::Done => {
                    format!("{} has finished", puzzle.threads[t].name)
                }
                Status::Waiting => {
                    format!("{} is waiting", puzzle.threads[t].name)
                }
                Status::Ready => {
                    format!("no choice {} for this step", m.choice)
                }
            });
        }
        let thread = &puzzle.threads[t];
        let op = thread.steps[self.threads[t].next].op;
        self.threads[t].next += 1;
        match op {
            Op::Load { var, local, ord } => {
                let v = var_index(puzzle, var);
                let index = match puzzle.model {
                    Model::Views => self.threads[t].view[v] + m.choice,
                    Model::Interleaving => self.memory[v].len() - 1,
                };
                let value = self.read(t, v, index, ord);
                self.set_local(puzzle, t, local, value);
            }
            Op::Store { var, value, ord } => {
                let value = self.value(puzzle, t, value);
                self.write(t, var_index(puzzle, var), value, ord, None);
            }
            Op::FetchAdd {
                var,
                add,
                local,
                ord,
            } => {
                let v = var_index(puzzle, var);
                let (old, carried) = self.read_newest(t, v, ord);
                self.write(t, v, old + add, ord, carried);
                self.set_local(puzzle, t, local, old);
            }
            Op::CompareExchange {
                var,
                expected,
                new,
                ok,
                ord,
            } => {
                let v = var_index(puzzle, var);
                let expected = self.value(puzzle, t, expected);
                let new = self.value(puzzle, t, new);
                let (old, carried) = self.read_newest(t, v, ord);
                if old == expected {
                    self.write(t, v, new, ord, carried);
                }
                self.set_local(puzzle, t, ok, i64::from(old == expected));
            }
            Op::Fence(ord) => self.fence(t, ord),
            Op::Lock(lock) => {
                let l = puzzle.lock(lock).expect("checked puzzle");
                self.locks[l].0 = Some(t);
                let released = self.locks[l].1.clone();
                join(&mut self.threads[t].view, &released);
            }
            Op::Unlock(lock) => {
                let l = puzzle.lock(lock).expect("checked puzzle");
                self.locks[l] = (None, self.threads[t].view.clone());
            }
            Op::Send(channel, value) => {
                let value = self.value(puzzle, t, value);
                let c = puzzle.channel(channel).expect("checked puzzle");
                let view = self.threads[t].view.clone();
                self.channels[c].push_back((value, view));
            }
            Op::Recv(channel, local) => {
                let c = puzzle.channel(channel).expect("checked puzzle");
                let (value, view) =
                    self.channels[c].pop_front().expect("status was ready");
                join(&mut self.threads[t].view, &view);
                self.set_local(puzzle, t, local, value);
            }
            Op::Unless(test, skip) => {
                let holds = match test {
                    Test::Eq(name, k) => self.local(puzzle, t, name) == Some(k),
                    Test::AtLeast(name, k) => {
                        self.local(puzzle, t, name).is_some_and(|v| v >= k)
                    }
                };
                if !holds {
                    self.threads[t].next += skip;
                }
            }
        }
        Ok(())
    }

    // ANCHOR: read
    /// Thread `t` loads store `index` of variable `v`: under the views
    /// model, any store from `view[v]` on, as the reader chooses.
    fn read(&mut self, t: usize, v: usize, index: usize, ord: Ordering) -> i64 {
        let write = self.memory[v][index].clone();
        let thread = &mut self.threads[t];
        thread.view[v] = thread.view[v].max(index);
        if let Some(released) = &write.view {
            if ord.acquires() {
                join(&mut thread.view, released);
            } else {
                join(&mut thread.pending, released);
            }
        }
        write.value
    }
    // ANCHOR_END: read

    /// The read half of a read-modify-write, which always reads the newest
    /// store; it returns the view that store released, which the write half
    /// carries on (a release sequence).
    fn read_newest(
        &mut self,
        t: usize,
        v: usize,
        ord: Ordering,
    ) -> (i64, Option<View>) {
        let index = self.memory[v].len() - 1;
        let carried = self.memory[v][index].view.clone();
        (self.read(t, v, index, ord), carried)
    }

    fn write(
        &mut self,
        t: usize,
        v: usize,
        value: i64,
        ord: Ordering,
        carried: Option<View>,
    ) {
        let index = self.memory[v].len();
        let thread = &mut self.threads[t];
        thread.view[v] = index;
        let mut view = if ord.releases() {
            Some(thread.view.clone())
        } else {
            thread.fenced.clone()
        };
        if let Some(carried) = carried {
            join(view.get_or_insert_with(|| vec![0; carried.len()]), &carried);
        }
        self.memory[v].push(Write { value, view });
    }

    // ANCHOR: fence
    fn fence(&mut self, t: usize, ord: Ordering) {
        let thread = &mut self.threads[t];
        if ord.acquires() {
            let pending = thread.pending.clone();
            join(&mut thread.view, &pending);
        }
        if ord == Ordering::SeqCst {
            join(&mut thread.view, &self.seq_cst);
            self.seq_cst = thread.view.clone();
        }
        if ord.releases() {
            thread.fenced = Some(thread.view.clone());
        }
    }
    // ANCHOR_END: fence

    fn value(&self, puzzle: &Puzzle, t: usize, value: Value) -> i64 {
        // A checked puzzle writes a local before it reads it.
        let local = |name| self.local(puzzle, t, name).unwrap_or_default();
        match value {
            Value::Const(k) => k,
            Value::Local(name, k) => local(name) + k,
            Value::Sum(a, b) => local(a) + local(b),
        }
    }

    pub fn local(&self, puzzle: &Puzzle, t: usize, name: &str) -> Option<i64> {
        let index = puzzle.locals(t).iter().position(|l| *l == name)?;
        self.threads[t].locals[index]
    }

    fn set_local(&mut self, puzzle: &Puzzle, t: usize, name: &str, v: i64) {
        let index = puzzle.locals(t).iter().position(|l| *l == name);
        self.threads[t].locals[index.expect("checked puzzle")] = Some(v);
    }

    /// A shared variable's value in its newest store: what a thread that
    /// joined all the others reads.
    pub fn newest(&self, v: usize) -> i64 {
        self.memory[v].last().map_or(0, |w| w.value)
    }

    pub fn holder(&self, puzzle: &Puzzle, lock: &str) -> Option<usize> {
        self.locks[puzzle.lock(lock)?].0
    }

    pub fn queue(&self, puzzle: &Puzzle, channel: &str) -> Vec<i64> {
        puzzle
            .channel(channel)
            .map(|c| self.channels[c].iter().map(|(v, _)| *v).collect())
            .unwrap_or_default()
    }

    /// Every value stored to a variable so far, oldest first.
    pub fn history(&self, v: usize) -> Vec<i64> {
        self.memory[v].iter().map(|w| w.value).collect()
    }

    /// The oldest store a thread may still read, per variable.
    pub fn view(&self, t: usize) -> &View {
        &self.threads[t].view
    }

    /// No thread can take a step.
    pub fn is_final(&self, puzzle: &Puzzle) -> bool {
        (0..self.threads.len()).all(|t| self.status(puzzle, t) != Status::Ready)
    }

    /// The final state as the chapters' tests write it, e.g.
    /// `counter = 1` or `deadlock: T1 waits at lock(b), T2 waits at lock(a)`.
    pub fn outcome(&self, puzzle: &Puzzle) -> Outcome {
        let values = puzzle
            .observe
            .iter()
            .map(|name| {
                let value = match name.split_once('.') {
                    Some((thread, local)) => puzzle
                        .threads
                        .iter()
                        .position(|t| t.name == thread)
                        .and_then(|t| self.local(puzzle, t, local)),
                    None => puzzle.var(name).map(|v| self.newest(v)),
                };
                (name.to_string(), value)
            })
            .collect();
        let waiting = (0..self.threads.len())
            .filter(|&t| self.status(puzzle, t) == Status::Waiting)
            .map(|t| {
                let thread = &puzzle.threads[t];
                let step = thread.steps[self.threads[t].next];
                (thread.name.to_string(), waits_at(step.op))
            })
            .collect();
        Outcome { values, waiting }
    }
}

fn var_index(puzzle: &Puzzle, var: &str) -> usize {
    puzzle.var(var).expect("checked puzzle")
}

/// How a waiting thread's step is named in an outcome.
pub fn waits_at(op: Op) -> String {
    match op {
        Op::Lock(lock) => format!("lock({lock})"),
        Op::Recv(channel, _) => format!("recv({channel})"),
        other => format!("{other:?}"),
    }
}

/// A final state: the observed values (a local never written is `None`)
/// and, when the run is stuck, who waits where.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Outcome {
    pub values: Vec<(String, Option<i64>)>,
    pub waiting: Vec<(String, String)>,
}

impl Outcome {
    pub fn is_deadlock(&self) -> bool {
        !self.waiting.is_empty()
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let values: Vec<String> = self
            .values
            .iter()
            .map(|(name, value)| match value {
                Some(v) => format!("{name} = {v}"),
                None => format!("{name} unset"),
            })
            .collect();
        write!(f, "{}", values.join(", "))?;
        if self.is_deadlock() {
            let waiting: Vec<String> = self
                .waiting
                .iter()
                .map(|(thread, at)| format!("{thread} waits at {at}"))
                .collect();
            write!(f, "; deadlock: {}", waiting.join(", "))?;
        }
        Ok(())
    }
}
