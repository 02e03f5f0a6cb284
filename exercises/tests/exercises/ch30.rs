use std::time::Duration;

use book_helpers::finishes_within;
use ch30_heat_diffusion::{max_abs_difference, solve_sequential};
use exercises::ch30::solve_on_threads;

#[test]
fn ch30_threads_give_the_sequential_plate_exactly() {
    for (n, steps) in [(6, 3), (8, 1), (12, 30), (17, 25)] {
        let reference = solve_sequential(n, steps);
        for parts in 1..=6 {
            let plate = finishes_within(Duration::from_secs(20), move || {
                solve_on_threads(n, steps, parts)
            });
            assert_eq!(plate.len(), n * n, "every cell of the plate");
            assert_eq!(
                max_abs_difference(&plate, reference.owned()),
                0.0,
                "{n}×{n}, {steps} steps, {parts} blocks: the same cells, \
                 bit for bit"
            );
        }
    }
}

#[test]
fn ch30_no_steps_is_the_starting_plate() {
    let plate = solve_on_threads(10, 0, 3);
    assert_eq!(plate, solve_sequential(10, 0).owned());
}
