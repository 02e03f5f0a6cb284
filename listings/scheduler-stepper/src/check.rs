//! What the chapters' loom models share: collecting the final state of
//! every execution loom explores, and comparing the set with the one the
//! enumerator lists for the page.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use crate::{Puzzle, outcome_set, puzzle};

/// Runs `model` under loom, collects what it returns from each execution
/// (`None`: an execution that stands for none of the real program's), and
/// asserts that the set is exactly the one the page lists for puzzle `id`.
/// A state the page lacks is a missed execution, one loom lacks an
/// invented one, and an "impossible" goal is proven by the same equality.
pub fn assert_loom_agrees<F>(id: &str, model: F)
where
    F: Fn() -> Option<String> + Sync + Send + 'static,
{
    let puzzle = puzzle(id).unwrap_or_else(|error| panic!("{error}"));
    let found = loom_outcomes(puzzle, model);
    let listed = outcome_set(puzzle);
    let only_loom: Vec<&String> = found.difference(&listed).collect();
    let only_page: Vec<&String> = listed.difference(&found).collect();
    assert!(
        only_loom.is_empty() && only_page.is_empty(),
        "{id}: loom and the page's enumerator disagree\n  \
         only loom finds: {only_loom:?}\n  only the page lists: {only_page:?}"
    );
}

fn loom_outcomes<F>(puzzle: &Puzzle, model: F) -> BTreeSet<String>
where
    F: Fn() -> Option<String> + Sync + Send + 'static,
{
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&seen);
    let mut builder = loom::model::Builder::new();
    // Without a bound, loom 0.7's search skipped executions these tests
    // need: of two threads that each load, then store one variable, the
    // first never loaded what the second had stored. With a bound, loom
    // tries every schedule with up to that many preemptions; one per step
    // of the puzzle is more than any schedule can use.
    let steps: usize = puzzle.threads.iter().map(|t| t.steps.len()).sum();
    builder.preemption_bound = Some(steps);
    builder.check(move || {
        if let Some(outcome) = model() {
            sink.lock().expect("no model panicked").insert(outcome);
        }
    });
    let seen = seen.lock().expect("no model panicked");
    seen.clone()
}

#[cfg(test)]
mod tests {
    use super::assert_loom_agrees;

    // `ch05-whole-lock` has one final state, `counter = 2`: a model without
    // threads that returns it agrees, one that returns anything else does not.

    #[test]
    fn a_model_with_the_pages_states_agrees() {
        assert_loom_agrees("ch05-whole-lock", || Some("counter = 2".into()));
    }

    #[test]
    #[should_panic(expected = r#"only loom finds: ["counter = 1"]"#)]
    fn a_state_the_page_lacks_is_a_disagreement() {
        assert_loom_agrees("ch05-whole-lock", || Some("counter = 1".into()));
    }

    #[test]
    #[should_panic(expected = r#"only the page lists: ["counter = 2"]"#)]
    fn a_state_loom_never_reaches_is_a_disagreement() {
        assert_loom_agrees("ch05-whole-lock", || None);
    }
}
