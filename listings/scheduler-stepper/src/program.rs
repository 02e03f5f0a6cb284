//! What a puzzle is: threads of operations on shared variables, locks and
//! channels, the source text each operation comes from, and a goal.

/// A memory ordering, as written on the Rust source the puzzle shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ordering {
    Relaxed,
    Release,
    Acquire,
    AcqRel,
    SeqCst,
}

impl Ordering {
    pub fn acquires(self) -> bool {
        matches!(self, Self::Acquire | Self::AcqRel | Self::SeqCst)
    }

    pub fn releases(self) -> bool {
        matches!(self, Self::Release | Self::AcqRel | Self::SeqCst)
    }
}

/// Which executions the enumerator and the stepper allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    /// Sequential consistency: the threads' steps interleave and every load
    /// reads the latest store to its variable.
    Interleaving,
    /// Release/acquire views (see `machine`): a load may read any store its
    /// thread has not yet been made to see past, so a Relaxed reader can
    /// see a new flag and old data. Stores join the end of their variable's
    /// modification order, so loads never read from the future (no load
    /// buffering), as in loom.
    Views,
}

/// A value an operation writes: a constant, a local plus a constant, or
/// the sum of two locals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    Const(i64),
    Local(&'static str, i64),
    Sum(&'static str, &'static str),
}

/// A comparison of a local with a constant, for `if`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Test {
    Eq(&'static str, i64),
    AtLeast(&'static str, i64),
}

/// One step of a thread: the smallest thing the scheduler can interleave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `local = var.load(ord)`, or the load half of a plain `var += 1`.
    Load {
        var: &'static str,
        local: &'static str,
        ord: Ordering,
    },
    /// `var.store(value, ord)`, or the store half of a plain `var += 1`.
    Store {
        var: &'static str,
        value: Value,
        ord: Ordering,
    },
    /// `local = var.fetch_add(add, ord)`: one indivisible read-modify-write.
    FetchAdd {
        var: &'static str,
        add: i64,
        local: &'static str,
        ord: Ordering,
    },
    /// `ok = var.compare_exchange(expected, new, ord, ..).is_ok()`.
    CompareExchange {
        var: &'static str,
        expected: Value,
        new: Value,
        ok: &'static str,
        ord: Ordering,
    },
    /// `fence(ord)`.
    Fence(Ordering),
    /// Takes the lock, waiting while another thread holds it.
    Lock(&'static str),
    /// Releases a lock this thread holds (the guard's drop).
    Unlock(&'static str),
    /// Sends on an unbounded channel; never waits.
    Send(&'static str, Value),
    /// Receives from a channel, waiting while it is empty.
    Recv(&'static str, &'static str),
    /// `if test { .. }`: when the test fails, the next `skip` steps are
    /// skipped.
    Unless(Test, usize),
}

/// A step and the line of the thread's source it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub line: usize,
    pub op: Op,
}

/// One thread of a puzzle.
#[derive(Debug)]
pub struct Thread {
    pub name: &'static str,
    pub source: &'static [&'static str],
    pub steps: &'static [Step],
}

/// What the reader is asked to make happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    /// Every named observation ends with this value, with no thread stuck.
    Values(&'static [(&'static str, i64)]),
    /// Every thread that has not finished waits, and none can go on.
    Deadlock,
}

/// A small program, its goal, and whether the goal can be reached at all.
#[derive(Debug)]
pub struct Puzzle {
    /// Unique in the book; the page names its puzzle by it.
    pub id: &'static str,
    pub chapter: u8,
    pub title: &'static str,
    pub goal_text: &'static str,
    pub model: Model,
    /// Shared variables with their initial values.
    pub vars: &'static [(&'static str, i64)],
    pub locks: &'static [&'static str],
    pub channels: &'static [&'static str],
    pub threads: &'static [Thread],
    /// What a final state reports: shared variables by name, locals as
    /// `thread.local`.
    pub observe: &'static [&'static str],
    pub goal: Goal,
    /// Whether some execution reaches the goal; checked by the enumerator
    /// and, through it, by the chapters' loom models.
    pub possible: bool,
}

impl Puzzle {
    pub fn var(&self, name: &str) -> Option<usize> {
        self.vars.iter().position(|(var, _)| *var == name)
    }

    pub fn lock(&self, name: &str) -> Option<usize> {
        self.locks.iter().position(|lock| *lock == name)
    }

    pub fn channel(&self, name: &str) -> Option<usize> {
        self.channels.iter().position(|channel| *channel == name)
    }

    /// The locals of a thread, in the order its steps first name them.
    pub fn locals(&self, thread: usize) -> Vec<&'static str> {
        let mut locals = Vec::new();
        for step in self.threads[thread].steps {
            let written = match step.op {
                Op::Load { local, .. }
                | Op::FetchAdd { local, .. }
                | Op::Recv(_, local) => Some(local),
                Op::CompareExchange { ok, .. } => Some(ok),
                _ => None,
            };
            if let Some(local) = written
                && !locals.contains(&local)
            {
                locals.push(local);
            }
        }
        locals
    }

    /// Every name a step or an observation uses exists, every line is in
    /// the source, every skip stays inside its thread: the puzzles are
    /// data, and a typo must fail a test rather than a page.
    pub fn check(&self) -> Result<(), String> {
        let fail = |what: String| Err(format!("puzzle {}: {what}", self.id));
        for (t, thread) in self.threads.iter().enumerate() {
            let locals = self.locals(t);
            let local = |name: &str| locals.contains(&name);
            let value = |v: Value| match v {
                Value::Const(_) => true,
                Value::Local(name, _) => local(name),
                Value::Sum(a, b) => local(a) && local(b),
            };
            for (i, step) in thread.steps.iter().enumerate() {
                let ok = match step.op {
                    Op::Load { var, .. } | Op::FetchAdd { var, .. } => {
                        self.var(var).is_some()
                    }
                    Op::Store { var, value: v, .. } => {
                        self.var(var).is_some() && value(v)
                    }
                    Op::CompareExchange {
                        var, expected, new, ..
                    } => {
                        self.var(var).is_some() && value(expected) && value(new)
                    }
                    Op::Fence(_) => true,
                    Op::Lock(lock) | Op::Unlock(lock) => {
                        self.lock(lock).is_some()
                    }
                    Op::Send(channel, v) => {
                        self.channel(channel).is_some() && value(v)
                    }
                    Op::Recv(channel, _) => self.channel(channel).is_some(),
                    Op::Unless(
                        Test::Eq(name, _) | Test::AtLeast(name, _),
                        n,
                    ) => local(name) && i + n < thread.steps.len(),
                };
                if !ok || step.line >= thread.source.len() {
                    return fail(format!(
                        "{} step {i}: {:?}",
                        thread.name, step
                    ));
                }
            }
        }
        for name in self.observe {
            let found = match name.split_once('.') {
                Some((thread, local)) => self
                    .threads
                    .iter()
                    .position(|t| t.name == thread)
                    .is_some_and(|t| self.locals(t).contains(&local)),
                None => self.var(name).is_some(),
            };
            if !found {
                return fail(format!("observes unknown {name}"));
            }
        }
        if let Goal::Values(values) = self.goal
            && let Some((name, _)) =
                values.iter().find(|(name, _)| !self.observe.contains(name))
        {
            return fail(format!("goal names {name}, which is not observed"));
        }
        Ok(())
    }
}
