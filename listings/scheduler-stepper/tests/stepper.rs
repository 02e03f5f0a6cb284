//! The puzzles are well-formed, their "possible" flags are what the
//! enumerator finds, and the stepper's moves, undo and restart behave.

use scheduler_stepper::{
    Goal, Model, Move, Op, Ordering, PUZZLES, Puzzle, Status, Step, Stepper,
    Test, Thread, Value, describe_schedule, enumerate, outcome_set,
    outcomes_json, puzzle, reaches_goal, view_json,
};

#[test]
fn every_puzzle_names_only_what_it_declares() {
    for puzzle in &PUZZLES {
        puzzle.check().unwrap();
    }
    let mut ids: Vec<&str> = PUZZLES.iter().map(|p| p.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), PUZZLES.len(), "puzzle ids are unique");
    for chapter in [3, 5, 7, 8] {
        let count = PUZZLES.iter().filter(|p| p.chapter == chapter).count();
        assert!(count >= 3, "chapter {chapter} has {count} puzzles");
    }
}

#[test]
fn a_goal_is_possible_exactly_when_some_execution_reaches_it() {
    for puzzle in &PUZZLES {
        let found = enumerate(puzzle);
        let reached = found
            .outcomes
            .keys()
            .any(|outcome| reaches_goal(puzzle, outcome));
        assert_eq!(reached, puzzle.possible, "{}", puzzle.id);
        println!(
            "{}: {} executions, {} final states",
            puzzle.id,
            found.executions,
            found.outcomes.len()
        );
        for outcome in found.outcomes.keys() {
            println!("  {outcome}");
        }
    }
}

#[test]
fn each_listed_schedule_replays_to_its_outcome() {
    for puzzle in &PUZZLES {
        for (outcome, schedule) in enumerate(puzzle).outcomes {
            let mut stepper = Stepper::new(puzzle);
            for &m in &schedule {
                stepper.step(m).unwrap();
            }
            assert_eq!(stepper.outcome(), Some(outcome), "{}", puzzle.id);
        }
    }
}

#[test]
fn steps_undo_and_restart() {
    let mut stepper = Stepper::new(puzzle("ch03-lost-update").unwrap());
    let t1 = Move {
        thread: 0,
        choice: 0,
    };
    let t2 = Move { thread: 1, ..t1 };
    for m in [t1, t2, t1, t2] {
        stepper.step(m).unwrap();
    }
    assert_eq!(stepper.outcome().unwrap().to_string(), "counter = 1");
    assert!(stepper.undo());
    assert_eq!(stepper.outcome(), None);
    assert_eq!(stepper.moves(), [t1, t2, t1]);
    stepper.restart();
    assert!(stepper.moves().is_empty());
    assert!(!stepper.undo(), "nothing to undo at the start");
    assert_eq!(stepper.state().status(stepper.puzzle, 0), Status::Ready);
}

#[test]
fn impossible_moves_are_refused_with_a_reason() {
    let mut stepper = Stepper::new(puzzle("ch05-deadlock").unwrap());
    let t1 = Move {
        thread: 0,
        choice: 0,
    };
    let t2 = Move { thread: 1, ..t1 };
    stepper.step(t1).unwrap();
    stepper.step(t2).unwrap();
    assert_eq!(stepper.step(t1).unwrap_err(), "T1 is waiting");
    assert_eq!(stepper.step(Move { thread: 7, ..t1 }).unwrap_err(), {
        "there is no thread 7"
    });
    assert_eq!(stepper.step(Move { thread: 2, ..t1 }).unwrap_err(), {
        "there is no thread 2"
    });
    let outcome = stepper.outcome().unwrap();
    assert!(reaches_goal(stepper.puzzle, &outcome));
    assert_eq!(
        outcome.to_string(),
        "transfers = 0; deadlock: T1 waits at lock(b), T2 waits at lock(a)"
    );
    assert!(
        puzzle("ch99-nothing")
            .unwrap_err()
            .contains("ch03-lost-update")
    );
}

#[test]
fn a_relaxed_reader_may_choose_the_old_data() {
    let mut stepper = Stepper::new(puzzle("ch07-relaxed-flag").unwrap());
    let writer = Move {
        thread: 0,
        choice: 0,
    };
    stepper.step(writer).unwrap();
    stepper.step(writer).unwrap();
    let reader = &stepper.state().choices(stepper.puzzle, 1);
    assert_eq!(reader, &["reads 0", "reads 1"]);
    // Reads the flag (choice 1: the newest store), then the old data.
    stepper
        .step(Move {
            thread: 1,
            choice: 1,
        })
        .unwrap();
    assert_eq!(
        stepper.state().choices(stepper.puzzle, 1),
        ["reads 0", "reads 42"]
    );
    stepper
        .step(Move {
            thread: 1,
            choice: 0,
        })
        .unwrap();
    let outcome = stepper.outcome().unwrap();
    assert_eq!(outcome.to_string(), "reader.seen = 1, reader.got = 0");
    assert!(reaches_goal(stepper.puzzle, &outcome));
}

#[test]
fn the_json_is_well_formed_enough_for_the_page() {
    for puzzle in &PUZZLES {
        let view = view_json(&Stepper::new(puzzle));
        assert!(view.starts_with('{') && view.ends_with('}'), "{view}");
        assert!(view.contains(&format!("\"id\":\"{}\"", puzzle.id)));
        let outcomes = outcomes_json(puzzle);
        assert!(outcomes.contains("\"outcomes\":[{"), "{outcomes}");
    }
}

#[test]
fn the_lost_update_has_six_executions_and_two_final_states() {
    // Two threads of two steps each (load, then store) interleave in
    // C(4, 2) = 6 ways; the counter ends at 2 only when one thread's load
    // comes after the other's store.
    let lost_update = puzzle("ch03-lost-update").unwrap();
    assert_eq!(enumerate(lost_update).executions, 6);
    assert_eq!(
        outcome_set(lost_update).into_iter().collect::<Vec<_>>(),
        ["counter = 1", "counter = 2"]
    );
}

#[test]
fn a_schedule_is_described_thread_by_thread_with_each_choice() {
    let flag = puzzle("ch07-relaxed-flag").unwrap();
    let (writer, reader) = (
        Move {
            thread: 0,
            choice: 0,
        },
        Move {
            thread: 1,
            choice: 1,
        },
    );
    let schedule = [
        writer,
        writer,
        reader,
        Move {
            choice: 0,
            ..reader
        },
    ];
    assert_eq!(
        describe_schedule(flag, &schedule),
        ["writer", "writer", "reader (reads 1)", "reader (reads 0)"]
    );
}

#[test]
fn every_puzzle_reaches_the_final_states_loom_finds() {
    // The sets that the chapters' loom models of the same programs reach
    // (tests/puzzles.rs in ch03, ch05, ch07 and ch08 compare them with the
    // enumerator's): here, so that a change to the machine that moves one
    // fails the stepper's own tests.
    let expected: [(&str, &[&str]); 14] = [
        ("ch03-lost-update", &["counter = 1", "counter = 2"]),
        ("ch03-check-then-act", &["balance = -10", "balance = 0"]),
        (
            "ch03-messages",
            &["total = 3, main.a = 1", "total = 3, main.a = 2"],
        ),
        ("ch05-whole-lock", &["counter = 2"]),
        ("ch05-split-lock", &["counter = 1", "counter = 2"]),
        (
            "ch05-deadlock",
            &[
                "transfers = 0; deadlock: T1 waits at lock(b), T2 waits at lock(a)",
                "transfers = 2",
            ],
        ),
        ("ch05-lock-order", &["transfers = 2"]),
        (
            "ch07-relaxed-flag",
            &[
                "reader.seen = 0, reader.got = 0",
                "reader.seen = 0, reader.got = 42",
                "reader.seen = 1, reader.got = 0",
                "reader.seen = 1, reader.got = 42",
            ],
        ),
        (
            "ch07-release-acquire",
            &[
                "reader.seen = 0, reader.got = 0",
                "reader.seen = 0, reader.got = 42",
                "reader.seen = 1, reader.got = 42",
            ],
        ),
        (
            "ch07-store-buffering",
            &[
                "T1.r1 = 0, T2.r2 = 0",
                "T1.r1 = 0, T2.r2 = 1",
                "T1.r1 = 1, T2.r2 = 0",
                "T1.r1 = 1, T2.r2 = 1",
            ],
        ),
        (
            "ch07-seqcst-fence",
            &[
                "T1.r1 = 0, T2.r2 = 1",
                "T1.r1 = 1, T2.r2 = 0",
                "T1.r1 = 1, T2.r2 = 1",
            ],
        ),
        (
            "ch08-cas-once",
            &[
                "counter = 1, T1.ok = 0, T2.ok = 1",
                "counter = 1, T1.ok = 1, T2.ok = 0",
                "counter = 2, T1.ok = 1, T2.ok = 1",
            ],
        ),
        (
            "ch08-lost-push",
            &[
                "head = 1, next1 = 0, next2 = 0",
                "head = 1, next1 = 2, next2 = 0",
                "head = 2, next1 = 0, next2 = 0",
                "head = 2, next1 = 0, next2 = 1",
            ],
        ),
        (
            "ch08-cas-push",
            &[
                "head = 1, next1 = 2, next2 = 0",
                "head = 2, next1 = 0, next2 = 1",
            ],
        ),
    ];
    assert_eq!(expected.len(), PUZZLES.len(), "one row per puzzle");
    for (id, states) in expected {
        let found: Vec<String> =
            outcome_set(puzzle(id).unwrap()).into_iter().collect();
        assert_eq!(found, states, "{id}");
    }
}

/// A one-thread puzzle, `T1`, over one variable `x` that starts at 1.
fn one_thread(ops: &[Op]) -> &'static Puzzle {
    let steps: Vec<Step> = ops.iter().map(|&op| Step { line: 0, op }).collect();
    let threads = Box::leak(Box::new([Thread {
        name: "T1",
        source: &["..."],
        steps: steps.leak(),
    }]));
    Box::leak(Box::new(Puzzle {
        id: "test",
        chapter: 0,
        title: "",
        goal_text: "",
        model: Model::Interleaving,
        vars: &[("x", 1)],
        locks: &[],
        channels: &[],
        threads,
        observe: &["x", "T1.r"],
        goal: Goal::Values(&[("x", 0)]),
        possible: false,
    }))
}

fn run_alone(puzzle: &'static Puzzle) -> Stepper {
    let mut stepper = Stepper::new(puzzle);
    while stepper.outcome().is_none() {
        stepper
            .step(Move {
                thread: 0,
                choice: 0,
            })
            .unwrap();
    }
    stepper
}

#[test]
fn fetch_add_returns_the_old_value_and_stores_the_sum() {
    let puzzle = one_thread(&[Op::FetchAdd {
        var: "x",
        add: 2,
        local: "r",
        ord: Ordering::Relaxed,
    }]);
    let outcome = run_alone(puzzle).outcome().unwrap();
    assert_eq!(outcome.to_string(), "x = 3, T1.r = 1");
}

#[test]
fn a_failed_test_skips_the_steps_it_names() {
    // r = x (1); unless r == 5, skip one step: the store of 7 never runs.
    let store = |value| Op::Store {
        var: "x",
        value: Value::Const(value),
        ord: Ordering::Relaxed,
    };
    let load = Op::Load {
        var: "x",
        local: "r",
        ord: Ordering::Relaxed,
    };
    let skipping = one_thread(&[
        load,
        Op::Unless(Test::Eq("r", 5), 1),
        store(7),
        store(9),
    ]);
    assert_eq!(run_alone(skipping).state().history(0), [1, 9]);
    let passing = one_thread(&[
        load,
        Op::Unless(Test::Eq("r", 1), 1),
        store(7),
        store(9),
    ]);
    assert_eq!(run_alone(passing).state().history(0), [1, 7, 9]);
}
