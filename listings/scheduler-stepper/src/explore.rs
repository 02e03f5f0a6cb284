//! The reader's side (step, undo, restart) and the enumerator's (every
//! execution, every distinct final state).

use std::collections::BTreeMap;

use crate::machine::{Move, Outcome, State};
use crate::program::{Goal, Puzzle};

/// A puzzle being played: the states so far, newest last, and the moves
/// between them.
#[derive(Debug, Clone)]
pub struct Stepper {
    pub puzzle: &'static Puzzle,
    states: Vec<State>,
    moves: Vec<Move>,
}

impl Stepper {
    pub fn new(puzzle: &'static Puzzle) -> Stepper {
        Stepper {
            puzzle,
            states: vec![State::new(puzzle)],
            moves: Vec::new(),
        }
    }

    pub fn state(&self) -> &State {
        self.states.last().expect("never empty")
    }

    pub fn moves(&self) -> &[Move] {
        &self.moves
    }

    pub fn step(&mut self, m: Move) -> Result<(), String> {
        let mut next = self.state().clone();
        next.step(self.puzzle, m)?;
        self.states.push(next);
        self.moves.push(m);
        Ok(())
    }

    /// Takes back the last step; `false` at the start.
    pub fn undo(&mut self) -> bool {
        if self.moves.pop().is_none() {
            return false;
        }
        self.states.pop();
        true
    }

    pub fn restart(&mut self) {
        self.states.truncate(1);
        self.moves.clear();
    }

    /// The final state, once no thread can step.
    pub fn outcome(&self) -> Option<Outcome> {
        let state = self.state();
        state
            .is_final(self.puzzle)
            .then(|| state.outcome(self.puzzle))
    }
}

/// Whether a final state is what the puzzle asks for.
pub fn reaches_goal(puzzle: &Puzzle, outcome: &Outcome) -> bool {
    match puzzle.goal {
        Goal::Deadlock => outcome.is_deadlock(),
        Goal::Values(wanted) => {
            !outcome.is_deadlock()
                && wanted.iter().all(|(name, value)| {
                    outcome
                        .values
                        .iter()
                        .any(|(n, v)| n == name && *v == Some(*value))
                })
        }
    }
}

/// Every distinct final state of a puzzle with the first schedule (in
/// depth-first order, lower threads first) that reaches it, and how many
/// complete executions there are.
#[derive(Debug, Clone)]
pub struct Enumeration {
    pub outcomes: BTreeMap<Outcome, Vec<Move>>,
    pub executions: usize,
}

pub fn enumerate(puzzle: &Puzzle) -> Enumeration {
    let mut found = Enumeration {
        outcomes: BTreeMap::new(),
        executions: 0,
    };
    let mut schedule = Vec::new();
    visit(puzzle, &State::new(puzzle), &mut schedule, &mut found);
    found
}

fn visit(
    puzzle: &Puzzle,
    state: &State,
    schedule: &mut Vec<Move>,
    found: &mut Enumeration,
) {
    if state.is_final(puzzle) {
        found.executions += 1;
        found
            .outcomes
            .entry(state.outcome(puzzle))
            .or_insert_with(|| schedule.clone());
        return;
    }
    for thread in 0..puzzle.threads.len() {
        for choice in 0..state.choices(puzzle, thread).len() {
            let m = Move { thread, choice };
            let mut next = state.clone();
            next.step(puzzle, m).expect("a listed choice");
            schedule.push(m);
            visit(puzzle, &next, schedule, found);
            schedule.pop();
        }
    }
}

/// A schedule as the page prints it: `T1, T2 (reads 0), T1`.
pub fn describe_schedule(puzzle: &Puzzle, schedule: &[Move]) -> Vec<String> {
    let mut state = State::new(puzzle);
    schedule
        .iter()
        .map(|&m| {
            let label = &state.choices(puzzle, m.thread)[m.choice];
            let name = puzzle.threads[m.thread].name;
            let text = if label.is_empty() {
                name.to_string()
            } else {
                format!("{name} ({label})")
            };
            state
                .step(puzzle, m)
                .expect("a schedule the enumerator found");
            text
        })
        .collect()
}
