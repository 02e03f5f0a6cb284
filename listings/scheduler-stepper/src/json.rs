//! What the page draws, as JSON text: the crate has no dependencies (the
//! WebAssembly build resolves none), and the shapes are small.

use crate::explore::{Stepper, describe_schedule, enumerate, reaches_goal};
use crate::machine::{Status, waits_at};
use crate::program::{Model, Op, Puzzle, Test, Value};

fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(","))
}

fn strings<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    list(items.into_iter().map(quote))
}

fn number(value: Option<i64>) -> String {
    value.map_or_else(|| "null".to_string(), |v| v.to_string())
}

fn value_text(value: Value) -> String {
    match value {
        Value::Const(k) => k.to_string(),
        Value::Local(name, 0) => name.to_string(),
        Value::Local(name, k) if k < 0 => format!("{name} - {}", -k),
        Value::Local(name, k) => format!("{name} + {k}"),
        Value::Sum(a, b) => format!("{a} + {b}"),
    }
}

/// One step as the page names it next to the thread's source.
pub fn describe_op(op: Op) -> String {
    match op {
        Op::Load { var, local, ord } => {
            format!("{local} = load {var} ({ord:?})")
        }
        Op::Store { var, value, ord } => {
            format!("store {} to {var} ({ord:?})", value_text(value))
        }
        Op::FetchAdd {
            var,
            add,
            local,
            ord,
        } => format!("{local} = fetch_add {add} to {var} ({ord:?})"),
        Op::CompareExchange {
            var,
            expected,
            new,
            ok,
            ord,
        } => format!(
            "{ok} = {var}: if {} then {} ({ord:?})",
            value_text(expected),
            value_text(new)
        ),
        Op::Fence(ord) => format!("fence({ord:?})"),
        Op::Lock(_) | Op::Recv(..) => waits_at(op),
        Op::Unlock(lock) => format!("unlock({lock})"),
        Op::Send(channel, value) => {
            format!("send({channel}, {})", value_text(value))
        }
        Op::Unless(Test::Eq(local, k), _) => format!("test {local} == {k}"),
        Op::Unless(Test::AtLeast(local, k), _) => {
            format!("test {local} >= {k}")
        }
    }
}

fn model_name(model: Model) -> &'static str {
    match model {
        Model::Interleaving => "interleaving",
        Model::Views => "views",
    }
}

/// The puzzle and the stepper's current state.
pub fn view_json(stepper: &Stepper) -> String {
    let puzzle = stepper.puzzle;
    let state = stepper.state();
    let threads = puzzle.threads.iter().enumerate().map(|(t, thread)| {
        let next = state.next_step(puzzle, t).map(|i| thread.steps[i]);
        let status = match state.status(puzzle, t) {
            Status::Ready => "ready",
            Status::Waiting => "waiting",
            Status::Done => "done",
        };
        let locals = puzzle.locals(t).into_iter().map(|name| {
            let value = state.local(puzzle, t, name);
            format!("{{\"name\":{},\"value\":{}}}", quote(name), number(value))
        });
        let holds = puzzle
            .locks
            .iter()
            .filter(|lock| state.holder(puzzle, lock) == Some(t))
            .copied();
        // Under the views model, which values each variable may still give
        // this thread.
        let visible = puzzle.vars.iter().enumerate().map(|(v, (name, _))| {
            let from = state.view(t)[v];
            let values = state.history(v)[from..]
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>();
            format!("{{\"name\":{},\"values\":{}}}", quote(name), list(values))
        });
        format!(
            "{{\"name\":{},\"source\":{},\"line\":{},\"next\":{},\
             \"status\":{},\"choices\":{},\"locals\":{},\"holds\":{},\
             \"visible\":{}}}",
            quote(thread.name),
            strings(thread.source.iter().copied()),
            number(next.map(|s| s.line as i64)),
            quote(&next.map(|s| describe_op(s.op)).unwrap_or_default()),
            quote(status),
            strings(state.choices(puzzle, t).iter().map(String::as_str)),
            list(locals),
            strings(holds),
            list(visible),
        )
    });
    let vars = puzzle.vars.iter().enumerate().map(|(v, (name, _))| {
        let history = state.history(v).into_iter().map(|v| v.to_string());
        format!(
            "{{\"name\":{},\"value\":{},\"history\":{}}}",
            quote(name),
            state.newest(v),
            list(history)
        )
    });
    let locks = puzzle.locks.iter().map(|lock| {
        let holder = state
            .holder(puzzle, lock)
            .map(|t| quote(puzzle.threads[t].name));
        format!(
            "{{\"name\":{},\"holder\":{}}}",
            quote(lock),
            holder.unwrap_or_else(|| "null".to_string())
        )
    });
    let channels = puzzle.channels.iter().map(|channel| {
        let queue = state.queue(puzzle, channel);
        format!(
            "{{\"name\":{},\"queue\":{}}}",
            quote(channel),
            list(queue.iter().map(ToString::to_string))
        )
    });
    let outcome = stepper.outcome();
    let reached = outcome
        .as_ref()
        .is_some_and(|outcome| reaches_goal(puzzle, outcome));
    format!(
        "{{\"id\":{},\"title\":{},\"goal\":{},\"model\":{},\
         \"vars\":{},\"locks\":{},\"channels\":{},\"threads\":{},\
         \"moves\":{},\"outcome\":{},\"reached\":{}}}",
        quote(puzzle.id),
        quote(puzzle.title),
        quote(puzzle.goal_text),
        quote(model_name(puzzle.model)),
        list(vars),
        list(locks),
        list(channels),
        list(threads),
        strings(
            describe_schedule(puzzle, stepper.moves())
                .iter()
                .map(String::as_str)
        ),
        outcome.map_or_else(|| "null".to_string(), |o| quote(&o.to_string())),
        reached,
    )
}

/// Every distinct final state with one schedule that reaches it, whether
/// it meets the goal, and how many executions the enumerator ran.
pub fn outcomes_json(puzzle: &Puzzle) -> String {
    let found = enumerate(puzzle);
    let outcomes = found.outcomes.iter().map(|(outcome, schedule)| {
        format!(
            "{{\"outcome\":{},\"goal\":{},\"schedule\":{}}}",
            quote(&outcome.to_string()),
            reaches_goal(puzzle, outcome),
            strings(
                describe_schedule(puzzle, schedule)
                    .iter()
                    .map(String::as_str)
            ),
        )
    });
    format!(
        "{{\"model\":{},\"executions\":{},\"possible\":{},\"outcomes\":{}}}",
        quote(model_name(puzzle.model)),
        found.executions,
        puzzle.possible,
        list(outcomes)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::{Value as Json, json};

    use crate::machine::Move;
    use crate::program::Ordering::{AcqRel, Relaxed};
    use crate::puzzles::puzzle;

    fn parsed(text: &str) -> Json {
        serde_json::from_str(text)
            .unwrap_or_else(|error| panic!("{error}: {text}"))
    }

    fn played(id: &str, threads: &[usize]) -> Stepper {
        let mut stepper = Stepper::new(puzzle(id).unwrap());
        for &thread in threads {
            stepper.step(Move { thread, choice: 0 }).unwrap();
        }
        stepper
    }

    #[test]
    fn a_deadlocked_pair_of_transfers_as_the_page_reads_it() {
        // T1 took `a`, T2 took `b`, and each waits for the other's lock.
        let view = parsed(&view_json(&played("ch05-deadlock", &[0, 1])));
        let transfer = |name: &str, first: &str, second: &str| {
            json!({
                "name": name,
                "source": [
                    format!("let x = {first}.lock().unwrap();"),
                    format!("let y = {second}.lock().unwrap();"),
                    "transfers += 1;",
                    "drop((y, x));",
                ],
                "line": 1,
                "next": format!("lock({second})"),
                "status": "waiting",
                "choices": [],
                "locals": [{"name": "r", "value": null}],
                "holds": [first],
                "visible": [{"name": "transfers", "values": [0]}],
            })
        };
        let expected = json!({
            "id": "ch05-deadlock",
            "title": "Two transfers, opposite orders",
            "goal": "Deadlock the two transfers.",
            "model": "interleaving",
            "vars": [{"name": "transfers", "value": 0, "history": [0]}],
            "locks": [
                {"name": "a", "holder": "T1"},
                {"name": "b", "holder": "T2"},
            ],
            "channels": [],
            "threads": [transfer("T1", "a", "b"), transfer("T2", "b", "a")],
            "moves": ["T1", "T2"],
            "outcome": "transfers = 0; deadlock: T1 waits at lock(b), T2 waits at lock(a)",
            "reached": true,
        });
        assert_eq!(view, expected);
    }

    #[test]
    fn a_reader_sees_every_value_its_view_still_allows() {
        // The writer stored data, then the flag; the reader has read nothing.
        let view = parsed(&view_json(&played("ch07-relaxed-flag", &[0, 0])));
        assert_eq!(view["model"], "views");
        assert_eq!(
            view["vars"],
            json!([
                {"name": "data", "value": 42, "history": [0, 42]},
                {"name": "ready", "value": 1, "history": [0, 1]},
            ])
        );
        let (writer, reader) = (&view["threads"][0], &view["threads"][1]);
        assert_eq!(writer["status"], "done");
        assert_eq!(writer["line"], Json::Null);
        assert_eq!(writer["next"], "");
        assert_eq!(reader["status"], "ready");
        assert_eq!(reader["line"], 0);
        assert_eq!(reader["next"], "seen = load ready (Relaxed)");
        assert_eq!(reader["choices"], json!(["reads 0", "reads 1"]));
        assert_eq!(
            reader["visible"],
            json!([
                {"name": "data", "values": [0, 42]},
                {"name": "ready", "values": [0, 1]},
            ])
        );
        assert_eq!(view["outcome"], Json::Null);
        assert_eq!(view["reached"], false);
    }

    #[test]
    fn the_outcomes_of_one_lock_around_the_counter() {
        // Each thread's critical section runs whole: T1's first or T2's.
        let outcomes =
            parsed(&outcomes_json(puzzle("ch05-whole-lock").unwrap()));
        assert_eq!(outcomes["model"], "interleaving");
        assert_eq!(outcomes["executions"], 2);
        assert_eq!(outcomes["possible"], false);
        let [only] = outcomes["outcomes"].as_array().unwrap().as_slice() else {
            panic!("one final state: {outcomes}");
        };
        assert_eq!(only["outcome"], "counter = 2");
        assert_eq!(only["goal"], false);
        let schedule = only["schedule"].as_array().unwrap();
        assert!(schedule.iter().all(|name| name == "T1" || name == "T2"));
    }

    #[test]
    fn every_kind_of_step_is_named_as_the_page_shows_it() {
        let cases = [
            (
                Op::Load {
                    var: "x",
                    local: "r",
                    ord: Relaxed,
                },
                "r = load x (Relaxed)",
            ),
            (
                Op::Store {
                    var: "x",
                    value: Value::Local("r", -2),
                    ord: Relaxed,
                },
                "store r - 2 to x (Relaxed)",
            ),
            (
                Op::Store {
                    var: "x",
                    value: Value::Local("r", 0),
                    ord: Relaxed,
                },
                "store r to x (Relaxed)",
            ),
            (
                Op::Store {
                    var: "x",
                    value: Value::Sum("a", "b"),
                    ord: Relaxed,
                },
                "store a + b to x (Relaxed)",
            ),
            (
                Op::FetchAdd {
                    var: "x",
                    add: 1,
                    local: "old",
                    ord: AcqRel,
                },
                "old = fetch_add 1 to x (AcqRel)",
            ),
            (
                Op::CompareExchange {
                    var: "head",
                    expected: Value::Local("h", 0),
                    new: Value::Local("h", 1),
                    ok: "ok",
                    ord: AcqRel,
                },
                "ok = head: if h then h + 1 (AcqRel)",
            ),
            (Op::Fence(AcqRel), "fence(AcqRel)"),
            (Op::Lock("a"), "lock(a)"),
            (Op::Unlock("a"), "unlock(a)"),
            (Op::Send("c", Value::Const(3)), "send(c, 3)"),
            (Op::Recv("c", "v"), "recv(c)"),
            (Op::Unless(Test::Eq("v", 0), 2), "test v == 0"),
            (Op::Unless(Test::AtLeast("v", 2), 2), "test v >= 2"),
        ];
        for (op, text) in cases {
            assert_eq!(describe_op(op), text);
        }
    }

    #[test]
    fn quotes_escape_what_json_needs() {
        assert_eq!(quote("a \"b\" \\ \n"), r#""a \"b\" \\ \u000a""#);
    }
}
