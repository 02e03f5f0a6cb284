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

    #[test]
    fn quotes_escape_what_json_needs() {
        assert_eq!(quote("a \"b\" \\ \n"), r#""a \"b\" \\ \u000a""#);
    }
}
