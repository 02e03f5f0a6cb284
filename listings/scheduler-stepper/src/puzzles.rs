//! The puzzles of chapters 3, 5, 7 and 8. Each is a Rust fragment per
//! thread and the steps it compiles to; each chapter's listing has a loom
//! model of the same fragments (`tests/puzzles.rs`) whose final states must
//! be exactly the ones [`crate::enumerate`] lists.

use crate::program::Ordering::{Acquire, Relaxed, Release, SeqCst};
use crate::program::{Goal, Model, Op, Puzzle, Step, Test, Thread, Value};

const fn at(line: usize, op: Op) -> Step {
    Step { line, op }
}

const fn load(var: &'static str, local: &'static str) -> Op {
    Op::Load {
        var,
        local,
        ord: Relaxed,
    }
}

const fn store(var: &'static str, value: Value) -> Op {
    Op::Store {
        var,
        value,
        ord: Relaxed,
    }
}

/// `counter += 1` on a plain variable: a load into a register, then a store.
const INCREMENT: [Step; 2] = [
    at(0, load("counter", "r")),
    at(0, store("counter", Value::Local("r", 1))),
];

const LOST_UPDATE: Puzzle = Puzzle {
    id: "ch03-lost-update",
    chapter: 3,
    title: "Two threads add one",
    goal_text: "Make the counter end at 1: lose an update.",
    model: Model::Interleaving,
    vars: &[("counter", 0)],
    locks: &[],
    channels: &[],
    threads: &[
        Thread {
            name: "T1",
            source: &["counter += 1;"],
            steps: &INCREMENT,
        },
        Thread {
            name: "T2",
            source: &["counter += 1;"],
            steps: &INCREMENT,
        },
    ],
    observe: &["counter"],
    goal: Goal::Values(&[("counter", 1)]),
    possible: true,
};

const WITHDRAW_SOURCE: &[&str] =
    &["if balance >= 10 {", "    balance -= 10;", "}"];
const WITHDRAW: [Step; 4] = [
    at(0, load("balance", "seen")),
    at(0, Op::Unless(Test::AtLeast("seen", 10), 2)),
    at(1, load("balance", "r")),
    at(1, store("balance", Value::Local("r", -10))),
];

const OVERDRAFT: Puzzle = Puzzle {
    id: "ch03-check-then-act",
    chapter: 3,
    title: "Check, then withdraw",
    goal_text: "Overdraw the account: make the balance end at -10.",
    model: Model::Interleaving,
    vars: &[("balance", 10)],
    locks: &[],
    channels: &[],
    threads: &[
        Thread {
            name: "T1",
            source: WITHDRAW_SOURCE,
            steps: &WITHDRAW,
        },
        Thread {
            name: "T2",
            source: WITHDRAW_SOURCE,
            steps: &WITHDRAW,
        },
    ],
    observe: &["balance"],
    goal: Goal::Values(&[("balance", -10)]),
    possible: true,
};

const MESSAGES: Puzzle = Puzzle {
    id: "ch03-messages",
    chapter: 3,
    title: "Counts sent to a coordinator",
    goal_text: "Lose a count: make the total end at 1 or 2.",
    model: Model::Interleaving,
    vars: &[("total", 0)],
    locks: &[],
    channels: &["counts"],
    threads: &[
        Thread {
            name: "worker1",
            source: &["tx.send(1).unwrap();"],
            steps: &[at(0, Op::Send("counts", Value::Const(1)))],
        },
        Thread {
            name: "worker2",
            source: &["tx.send(2).unwrap();"],
            steps: &[at(0, Op::Send("counts", Value::Const(2)))],
        },
        Thread {
            name: "main",
            source: &[
                "let a = rx.recv().unwrap();",
                "let b = rx.recv().unwrap();",
                "total = a + b;",
            ],
            steps: &[
                at(0, Op::Recv("counts", "a")),
                at(1, Op::Recv("counts", "b")),
                at(2, store("total", Value::Sum("a", "b"))),
            ],
        },
    ],
    observe: &["total", "main.a"],
    goal: Goal::Values(&[("total", 1)]),
    possible: false,
};

const SPLIT_LOCK: Puzzle = Puzzle {
    id: "ch05-split-lock",
    chapter: 5,
    title: "A lock around each access",
    goal_text: "Make the counter end at 1, though every access is locked.",
    model: Model::Interleaving,
    vars: &[("counter", 0)],
    locks: &["m"],
    channels: &[],
    threads: &[
        Thread {
            name: "T1",
            source: SPLIT_SOURCE,
            steps: &SPLIT,
        },
        Thread {
            name: "T2",
            source: SPLIT_SOURCE,
            steps: &SPLIT,
        },
    ],
    observe: &["counter"],
    goal: Goal::Values(&[("counter", 1)]),
    possible: true,
};

const SPLIT_SOURCE: &[&str] =
    &["let r = *m.lock().unwrap();", "*m.lock().unwrap() = r + 1;"];
const SPLIT: [Step; 6] = [
    at(0, Op::Lock("m")),
    at(0, load("counter", "r")),
    at(0, Op::Unlock("m")),
    at(1, Op::Lock("m")),
    at(1, store("counter", Value::Local("r", 1))),
    at(1, Op::Unlock("m")),
];

const WHOLE_SOURCE: &[&str] =
    &["let mut n = m.lock().unwrap();", "*n += 1;", "drop(n);"];
const WHOLE: [Step; 4] = [
    at(0, Op::Lock("m")),
    at(1, load("counter", "r")),
    at(1, store("counter", Value::Local("r", 1))),
    at(2, Op::Unlock("m")),
];

const WHOLE_LOCK: Puzzle = Puzzle {
    id: "ch05-whole-lock",
    chapter: 5,
    title: "One guard for the whole update",
    goal_text: "Make the counter end at 1.",
    model: Model::Interleaving,
    vars: &[("counter", 0)],
    locks: &["m"],
    channels: &[],
    threads: &[
        Thread {
            name: "T1",
            source: WHOLE_SOURCE,
            steps: &WHOLE,
        },
        Thread {
            name: "T2",
            source: WHOLE_SOURCE,
            steps: &WHOLE,
        },
    ],
    observe: &["counter"],
    goal: Goal::Values(&[("counter", 1)]),
    possible: false,
};

/// A transfer that locks `first`, then `second`, and counts itself.
macro_rules! transfer {
    ($name:literal, $first:literal, $second:literal) => {
        Thread {
            name: $name,
            source: &[
                concat!("let x = ", $first, ".lock().unwrap();"),
                concat!("let y = ", $second, ".lock().unwrap();"),
                "transfers += 1;",
                "drop((y, x));",
            ],
            steps: &[
                at(0, Op::Lock($first)),
                at(1, Op::Lock($second)),
                at(2, load("transfers", "r")),
                at(2, store("transfers", Value::Local("r", 1))),
                at(3, Op::Unlock($second)),
                at(3, Op::Unlock($first)),
            ],
        }
    };
}

const DEADLOCK: Puzzle = Puzzle {
    id: "ch05-deadlock",
    chapter: 5,
    title: "Two transfers, opposite orders",
    goal_text: "Deadlock the two transfers.",
    model: Model::Interleaving,
    vars: &[("transfers", 0)],
    locks: &["a", "b"],
    channels: &[],
    threads: &[transfer!("T1", "a", "b"), transfer!("T2", "b", "a")],
    observe: &["transfers"],
    goal: Goal::Deadlock,
    possible: true,
};

const LOCK_ORDER: Puzzle = Puzzle {
    id: "ch05-lock-order",
    chapter: 5,
    title: "Two transfers, one order",
    goal_text: "Deadlock the two transfers.",
    model: Model::Interleaving,
    vars: &[("transfers", 0)],
    locks: &["a", "b"],
    channels: &[],
    threads: &[transfer!("T1", "a", "b"), transfer!("T2", "a", "b")],
    observe: &["transfers"],
    goal: Goal::Deadlock,
    possible: false,
};

/// A writer that stores data, then raises a flag, with the orderings given,
/// and a reader that reads the flag, then the data.
macro_rules! message_passing {
    (
        $id:literal,
        $title:literal,
        $store:ident,
        $load:ident,
        $possible:expr $(,)?
    ) => {
        Puzzle {
            id: $id,
            chapter: 7,
            title: $title,
            goal_text: "Make the reader see the flag but not the data.",
            model: Model::Views,
            vars: &[("data", 0), ("ready", 0)],
            locks: &[],
            channels: &[],
            threads: &[
                Thread {
                    name: "writer",
                    source: &[
                        "data.store(42, Relaxed);",
                        concat!("ready.store(1, ", stringify!($store), ");"),
                    ],
                    steps: &[
                        at(0, store("data", Value::Const(42))),
                        at(
                            1,
                            Op::Store {
                                var: "ready",
                                value: Value::Const(1),
                                ord: $store,
                            },
                        ),
                    ],
                },
                Thread {
                    name: "reader",
                    source: &[
                        concat!(
                            "let seen = ready.load(",
                            stringify!($load),
                            ");"
                        ),
                        "let got = data.load(Relaxed);",
                    ],
                    steps: &[
                        at(
                            0,
                            Op::Load {
                                var: "ready",
                                local: "seen",
                                ord: $load,
                            },
                        ),
                        at(1, load("data", "got")),
                    ],
                },
            ],
            observe: &["reader.seen", "reader.got"],
            goal: Goal::Values(&[("reader.seen", 1), ("reader.got", 0)]),
            possible: $possible,
        }
    };
}

const RELAXED_FLAG: Puzzle = message_passing!(
    "ch07-relaxed-flag",
    "A flag raised with Relaxed",
    Relaxed,
    Relaxed,
    true
);

const RELEASE_ACQUIRE: Puzzle = message_passing!(
    "ch07-release-acquire",
    "A flag raised with Release, read with Acquire",
    Release,
    Acquire,
    false
);

/// Each thread stores to its own variable, then loads the other's.
macro_rules! store_buffering {
    (
        $id:literal,
        $title:literal,
        $possible:expr,
        [$source1:expr, $source2:expr $(,)?],
        [$steps1:expr, $steps2:expr $(,)?] $(,)?
    ) => {
        Puzzle {
            id: $id,
            chapter: 7,
            title: $title,
            goal_text: "Make both threads miss each other: r1 = 0 and r2 = 0.",
            model: Model::Views,
            vars: &[("x", 0), ("y", 0)],
            locks: &[],
            channels: &[],
            threads: &[
                Thread {
                    name: "T1",
                    source: $source1,
                    steps: $steps1,
                },
                Thread {
                    name: "T2",
                    source: $source2,
                    steps: $steps2,
                },
            ],
            observe: &["T1.r1", "T2.r2"],
            goal: Goal::Values(&[("T1.r1", 0), ("T2.r2", 0)]),
            possible: $possible,
        }
    };
}

const STORE_BUFFERING: Puzzle = store_buffering!(
    "ch07-store-buffering",
    "Release and Acquire are not enough",
    true,
    [
        &["x.store(1, Release);", "let r1 = y.load(Acquire);"],
        &["y.store(1, Release);", "let r2 = x.load(Acquire);"],
    ],
    [
        &[
            at(
                0,
                Op::Store {
                    var: "x",
                    value: Value::Const(1),
                    ord: Release
                }
            ),
            at(
                1,
                Op::Load {
                    var: "y",
                    local: "r1",
                    ord: Acquire
                }
            ),
        ],
        &[
            at(
                0,
                Op::Store {
                    var: "y",
                    value: Value::Const(1),
                    ord: Release
                }
            ),
            at(
                1,
                Op::Load {
                    var: "x",
                    local: "r2",
                    ord: Acquire
                }
            ),
        ],
    ]
);

const SEQ_CST_FENCE: Puzzle = store_buffering!(
    "ch07-seqcst-fence",
    "A SeqCst fence between",
    false,
    [
        &[
            "x.store(1, Relaxed);",
            "fence(SeqCst);",
            "let r1 = y.load(Relaxed);"
        ],
        &[
            "y.store(1, Relaxed);",
            "fence(SeqCst);",
            "let r2 = x.load(Relaxed);"
        ],
    ],
    [
        &[
            at(0, store("x", Value::Const(1))),
            at(1, Op::Fence(SeqCst)),
            at(2, load("y", "r1")),
        ],
        &[
            at(0, store("y", Value::Const(1))),
            at(1, Op::Fence(SeqCst)),
            at(2, load("x", "r2")),
        ],
    ]
);

const CAS_SOURCE: &[&str] = &[
    "let seen = counter.load(Relaxed);",
    "let ok = counter.compare_exchange(",
    "    seen, seen + 1, Relaxed, Relaxed,",
    ").is_ok();",
];
const CAS_ONCE_STEPS: [Step; 2] = [
    at(0, load("counter", "seen")),
    at(
        1,
        Op::CompareExchange {
            var: "counter",
            expected: Value::Local("seen", 0),
            new: Value::Local("seen", 1),
            ok: "ok",
            ord: Relaxed,
        },
    ),
];

const CAS_ONCE: Puzzle = Puzzle {
    id: "ch08-cas-once",
    chapter: 8,
    title: "One compare-and-swap each",
    goal_text: "Both succeed, yet the counter ends at 1.",
    model: Model::Interleaving,
    vars: &[("counter", 0)],
    locks: &[],
    channels: &[],
    threads: &[
        Thread {
            name: "T1",
            source: CAS_SOURCE,
            steps: &CAS_ONCE_STEPS,
        },
        Thread {
            name: "T2",
            source: CAS_SOURCE,
            steps: &CAS_ONCE_STEPS,
        },
    ],
    observe: &["counter", "T1.ok", "T2.ok"],
    goal: Goal::Values(&[("counter", 1), ("T1.ok", 1), ("T2.ok", 1)]),
    possible: false,
};

/// A push onto a Treiber stack of node `$node` (whose `next` field is the
/// shared variable `$next`) that publishes with a plain store.
macro_rules! store_push {
    ($name:literal, $node:literal, $next:literal) => {
        Thread {
            name: $name,
            source: &[
                "let old = head.load(Acquire);",
                concat!("node", $node, ".next = old;"),
                concat!("head.store(", $node, ", Release);"),
            ],
            steps: &[
                at(
                    0,
                    Op::Load {
                        var: "head",
                        local: "old",
                        ord: Acquire,
                    },
                ),
                at(1, store($next, Value::Local("old", 0))),
                at(
                    2,
                    Op::Store {
                        var: "head",
                        value: Value::Const($node),
                        ord: Release,
                    },
                ),
            ],
        }
    };
}

const LOST_PUSH: Puzzle = Puzzle {
    id: "ch08-lost-push",
    chapter: 8,
    title: "Push with a store",
    goal_text: "Lose node 1: head = 2 and node2.next = 0 (empty).",
    model: Model::Interleaving,
    vars: &[("head", 0), ("next1", 0), ("next2", 0)],
    locks: &[],
    channels: &[],
    threads: &[store_push!("T1", 1, "next1"), store_push!("T2", 2, "next2")],
    observe: &["head", "next1", "next2"],
    goal: Goal::Values(&[("head", 2), ("next2", 0)]),
    possible: true,
};

/// The same push with a compare-and-swap in a loop. With two pushers the
/// second attempt cannot fail (the first failed because the other push
/// succeeded, and it pushes once), so two attempts are the whole loop; the
/// loom model runs the real loop.
macro_rules! cas_push {
    ($name:literal, $node:literal, $next:literal) => {
        Thread {
            name: $name,
            source: &[
                "loop {",
                "    let old = head.load(Acquire);",
                concat!("    node", $node, ".next = old;"),
                "    let ok = head.compare_exchange(",
                concat!("        old, ", $node, ", Release, Relaxed,"),
                "    ).is_ok();",
                "    if ok { break; }",
                "}",
            ],
            steps: &[
                at(
                    1,
                    Op::Load {
                        var: "head",
                        local: "old",
                        ord: Acquire,
                    },
                ),
                at(2, store($next, Value::Local("old", 0))),
                at(3, cas_head($node)),
                at(6, Op::Unless(Test::Eq("ok", 0), 3)),
                at(
                    1,
                    Op::Load {
                        var: "head",
                        local: "old",
                        ord: Acquire,
                    },
                ),
                at(2, store($next, Value::Local("old", 0))),
                at(3, cas_head($node)),
            ],
        }
    };
}

const fn cas_head(node: i64) -> Op {
    Op::CompareExchange {
        var: "head",
        expected: Value::Local("old", 0),
        new: Value::Const(node),
        ok: "ok",
        ord: Release,
    }
}

const CAS_PUSH: Puzzle = Puzzle {
    id: "ch08-cas-push",
    chapter: 8,
    title: "Push with compare-and-swap",
    goal_text: "Lose node 1: head = 2 and node2.next = 0 (empty).",
    model: Model::Interleaving,
    vars: &[("head", 0), ("next1", 0), ("next2", 0)],
    locks: &[],
    channels: &[],
    threads: &[cas_push!("T1", 1, "next1"), cas_push!("T2", 2, "next2")],
    observe: &["head", "next1", "next2"],
    goal: Goal::Values(&[("head", 2), ("next2", 0)]),
    possible: false,
};

/// Every puzzle in the book, in page order.
pub static PUZZLES: [Puzzle; 14] = [
    LOST_UPDATE,
    OVERDRAFT,
    MESSAGES,
    WHOLE_LOCK,
    SPLIT_LOCK,
    DEADLOCK,
    LOCK_ORDER,
    RELAXED_FLAG,
    RELEASE_ACQUIRE,
    STORE_BUFFERING,
    SEQ_CST_FENCE,
    CAS_ONCE,
    LOST_PUSH,
    CAS_PUSH,
];

/// The puzzle a page or a test names.
pub fn puzzle(id: &str) -> Result<&'static Puzzle, String> {
    PUZZLES.iter().find(|p| p.id == id).ok_or_else(|| {
        let known: Vec<&str> = PUZZLES.iter().map(|p| p.id).collect();
        format!("no puzzle {id:?}; the puzzles are {}", known.join(", "))
    })
}
