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

#[cfg(test)]
mod tests {
    use super::*;

    const LOAD: Step = Step {
        line: 0,
        op: Op::Load {
            var: "x",
            local: "r",
            ord: Ordering::Relaxed,
        },
    };

    /// One thread, `T1`, of two source lines: `r = load x`, then `op` at
    /// `line`; one variable `x`, one lock `m`, one channel `c`.
    fn with_step(op: Op, line: usize) -> Puzzle {
        let steps: &'static [Step] =
            Box::leak(Box::new([LOAD, Step { line, op }]));
        let threads: &'static [Thread] = Box::leak(Box::new([Thread {
            name: "T1",
            source: &["let r = x.load(Relaxed);", "..."],
            steps,
        }]));
        Puzzle {
            id: "test",
            chapter: 0,
            title: "",
            goal_text: "",
            model: Model::Interleaving,
            vars: &[("x", 0)],
            locks: &["m"],
            channels: &["c"],
            threads,
            observe: &["x", "T1.r"],
            goal: Goal::Values(&[("x", 1)]),
            possible: true,
        }
    }

    fn store(value: Value) -> Op {
        Op::Store {
            var: "x",
            value,
            ord: Ordering::Relaxed,
        }
    }

    #[test]
    fn a_puzzle_that_names_only_what_it_declares_passes() {
        let relaxed = Ordering::Relaxed;
        for op in [
            store(Value::Sum("r", "r")),
            Op::CompareExchange {
                var: "x",
                expected: Value::Local("r", 0),
                new: Value::Const(1),
                ok: "ok",
                ord: relaxed,
            },
            Op::Fence(Ordering::SeqCst),
            Op::Lock("m"),
            Op::Unlock("m"),
            Op::Send("c", Value::Local("r", 1)),
            Op::Recv("c", "v"),
            Op::Unless(Test::AtLeast("r", 1), 0),
        ] {
            assert_eq!(with_step(op, 1).check(), Ok(()), "{op:?}");
        }
    }

    #[test]
    fn every_unknown_name_and_every_out_of_range_line_or_skip_fails() {
        let relaxed = Ordering::Relaxed;
        let cas = |var, expected, new| Op::CompareExchange {
            var,
            expected,
            new,
            ok: "ok",
            ord: relaxed,
        };
        let (known, unknown) = (Value::Local("r", 0), Value::Local("s", 0));
        for (op, line) in [
            (store(Value::Sum("r", "s")), 1),
            (store(Value::Sum("s", "r")), 1),
            (store(unknown), 1),
            (
                Op::Store {
                    var: "y",
                    value: known,
                    ord: relaxed,
                },
                1,
            ),
            (cas("y", known, known), 1),
            (cas("x", unknown, known), 1),
            (cas("x", known, unknown), 1),
            (Op::Lock("n"), 1),
            (Op::Unlock("n"), 1),
            (Op::Send("d", known), 1),
            (Op::Send("c", unknown), 1),
            (Op::Recv("d", "v"), 1),
            (Op::Unless(Test::Eq("s", 0), 0), 1),
            // A skip past the thread's last step.
            (Op::Unless(Test::Eq("r", 0), 1), 1),
            // A line the source does not have.
            (Op::Fence(relaxed), 2),
        ] {
            let error = with_step(op, line).check().unwrap_err();
            assert!(error.starts_with("puzzle test: T1 step 1: "), "{error}");
        }
    }

    #[test]
    fn observations_and_goals_must_name_what_exists() {
        let observing = |observe: &'static [&'static str]| Puzzle {
            observe,
            ..with_step(Op::Fence(Ordering::Relaxed), 1)
        };
        assert_eq!(observing(&["x", "T1.r"]).check(), Ok(()));
        for name in ["y", "T1.s", "T2.r"] {
            let names: &'static [&'static str] =
                Box::leak(Box::new(["x", name]));
            let error = observing(names).check().unwrap_err();
            assert_eq!(error, format!("puzzle test: observes unknown {name}"));
        }
        let error = observing(&["T1.r"]).check().unwrap_err();
        assert_eq!(error, "puzzle test: goal names x, which is not observed");
    }

    #[test]
    fn which_orderings_acquire_and_which_release() {
        use Ordering::*;
        let both = |ord: Ordering| (ord.acquires(), ord.releases());
        assert_eq!(both(Relaxed), (false, false));
        assert_eq!(both(Acquire), (true, false));
        assert_eq!(both(Release), (false, true));
        assert_eq!(both(AcqRel), (true, true));
        assert_eq!(both(SeqCst), (true, true));
    }
}
