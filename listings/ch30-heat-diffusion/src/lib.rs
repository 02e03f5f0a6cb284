//! Heat diffusing across a square plate, one explicit time step after another:
//! the numerics, shared by the sequential reference and by every MPI rank.
//!
//! The plate is an `n × n` grid. Its top edge is held hot, its other edges
//! cold, and each step moves every inner cell towards the average of its four
//! neighbours. A rank owns a block of whole rows and keeps one extra row above
//! and below it — the *halo* — holding copies of its neighbours' edge rows.

/// Temperature of the hot top edge; every other edge stays at 0.
pub const HOT: f64 = 100.0;

/// How far a cell moves towards its neighbours per step. The explicit scheme
/// is stable for values up to 0.25.
pub const ALPHA: f64 = 0.2;

/// A block of `rows` rows of an `n`-wide grid, starting at global row
/// `first_row`, with a halo row above and below: `(rows + 2) × n` cells.
pub struct Block {
    pub n: usize,
    pub first_row: usize,
    pub rows: usize,
    cells: Vec<f64>,
    next: Vec<f64>,
}

impl Block {
    /// The block in its starting state: cold everywhere except global row 0.
    pub fn new(n: usize, first_row: usize, rows: usize) -> Block {
        let mut cells = vec![0.0; (rows + 2) * n];
        if first_row == 0 && rows > 0 {
            cells[n..2 * n].fill(HOT);
        }
        let next = cells.clone();
        Block {
            n,
            first_row,
            rows,
            cells,
            next,
        }
    }

    /// The rows this block owns, without halos.
    pub fn owned(&self) -> &[f64] {
        &self.cells[self.n..(self.rows + 1) * self.n]
    }

    /// Mutable views of what a halo exchange touches: the top halo, the first
    /// and last owned rows (sent), and the bottom halo (received into).
    pub fn edges(&mut self) -> Edges<'_> {
        let n = self.n;
        let (top_halo, rest) = self.cells.split_at_mut(n);
        let (owned, bottom_halo) = rest.split_at_mut(self.rows * n);
        // Owned rows are only read during the exchange.
        let owned: &[f64] = owned;
        Edges {
            top_halo,
            first_row: &owned[..n],
            last_row: &owned[owned.len() - n..],
            bottom_halo,
        }
    }

    // ANCHOR: step
    /// One time step over the owned rows, reading the halos. The global
    /// boundary (row 0, row n − 1, the first and last column) stays fixed.
    pub fn step(&mut self) {
        let n = self.n;
        for local in 1..=self.rows {
            let global = self.first_row + local - 1;
            let row = local * n;
            if global == 0 || global == n - 1 {
                self.next[row..row + n]
                    .copy_from_slice(&self.cells[row..row + n]);
                continue;
            }
            self.next[row] = self.cells[row];
            self.next[row + n - 1] = self.cells[row + n - 1];
            for j in row + 1..row + n - 1 {
                let c = self.cells[j];
                let around = self.cells[j - n]
                    + self.cells[j + n]
                    + self.cells[j - 1]
                    + self.cells[j + 1];
                self.next[j] = c + ALPHA * (around - 4.0 * c);
            }
        }
        std::mem::swap(&mut self.cells, &mut self.next);
    }
    // ANCHOR_END: step

    /// The sum of the owned cells: the heat this block holds.
    pub fn heat(&self) -> f64 {
        self.owned().iter().sum()
    }
}

/// The parts of a block that a halo exchange sends from or receives into.
pub struct Edges<'a> {
    pub top_halo: &'a mut [f64],
    pub first_row: &'a [f64],
    pub last_row: &'a [f64],
    pub bottom_halo: &'a mut [f64],
}

// ANCHOR: sequential
/// The reference: the whole grid as one block, no messages.
pub fn solve_sequential(n: usize, steps: usize) -> Block {
    let mut grid = Block::new(n, 0, n);
    for _ in 0..steps {
        grid.step();
    }
    grid
}
// ANCHOR_END: sequential

/// The largest difference, cell by cell, between two grids of the same size.
pub fn max_abs_difference(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "grids of different sizes");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// How far apart two sums of the same `count` non-negative numbers may be,
/// relative to their size, when they were added in different orders.
///
/// Each rounded addition is off by at most one unit in the last place
/// (ε = 2⁻⁵², relative), so a sum of `count` non-negative numbers is off by at
/// most `(count − 1) · ε` of itself, whichever order it was added in; two such
/// sums differ by at most twice that.
pub fn sum_tolerance(count: usize) -> f64 {
    2.0 * count as f64 * f64::EPSILON
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heat_flows_down_from_the_hot_edge_and_the_boundary_stays() {
        let n = 16;
        let grid = solve_sequential(n, 50);
        let cells = grid.owned();
        assert!(cells[..n].iter().all(|&t| t == HOT));
        assert!(cells[(n - 1) * n..].iter().all(|&t| t == 0.0));
        let sides = |row: usize| [cells[row * n], cells[row * n + n - 1]];
        assert!((1..n).all(|row| sides(row) == [0.0, 0.0]), "{cells:?}");
        let column = |row: usize| cells[row * n + n / 2];
        assert!(
            column(1) > column(2) && column(2) > column(3) && column(3) > 0.0
        );
        assert!(cells.iter().all(|&t| (0.0..=HOT).contains(&t)));
    }

    #[test]
    fn two_steps_on_a_five_by_five_plate_by_hand() {
        // Step 1: each cell under the hot edge has 100 above it and 0
        // elsewhere: 0 + 0.2 · (100 − 0) = 20; every other inner cell stays 0.
        // Step 2, row 1: a corner cell sees 100 + 0 + 0 + 20 → 20 + 0.2 ·
        // (120 − 80) = 28, the middle one 100 + 20 + 20 + 0 → 32; row 2 sees
        // only the 20 above it → 0.2 · 20 = 4.
        let mut grid = Block::new(5, 0, 5);
        grid.step();
        let first: &[f64] = &[
            100.0, 100.0, 100.0, 100.0, 100.0, //
            0.0, 20.0, 20.0, 20.0, 0.0, //
            0.0, 0.0, 0.0, 0.0, 0.0, //
            0.0, 0.0, 0.0, 0.0, 0.0, //
            0.0, 0.0, 0.0, 0.0, 0.0,
        ];
        assert_eq!(grid.owned(), first);
        assert_eq!(grid.heat(), 560.0);
        grid.step();
        let second: &[f64] = &[
            100.0, 100.0, 100.0, 100.0, 100.0, //
            0.0, 28.0, 32.0, 28.0, 0.0, //
            0.0, 4.0, 4.0, 4.0, 0.0, //
            0.0, 0.0, 0.0, 0.0, 0.0, //
            0.0, 0.0, 0.0, 0.0, 0.0,
        ];
        let error = max_abs_difference(grid.owned(), second);
        assert!(error < 1e-12, "{:?}", grid.owned());
    }

    #[test]
    fn a_lower_block_starts_cold_and_reads_both_halos() {
        // Global rows 2 and 3 of a 5-row plate: both inner, so each reads
        // one halo.
        let mut lower = Block::new(5, 2, 2);
        assert_eq!(lower.owned(), [0.0; 10]);
        let edges = lower.edges();
        edges.top_halo.fill(50.0);
        edges.bottom_halo.fill(5.0);
        lower.step();
        // Middle cells take 0.2 of the halo next to them; the plate's side
        // columns stay. (The halos are written again before every step.)
        let edges = lower.edges();
        assert_eq!(edges.first_row, [0.0, 10.0, 10.0, 10.0, 0.0]);
        assert_eq!(edges.last_row, [0.0, 1.0, 1.0, 1.0, 0.0]);
        assert_eq!(lower.heat(), 33.0);
    }

    #[test]
    fn differences_and_tolerances() {
        assert_eq!(max_abs_difference(&[1.0, 5.0, 2.0], &[1.5, 2.0, 2.0]), 3.0);
        assert_eq!(max_abs_difference(&[], &[]), 0.0);
        assert_eq!(sum_tolerance(1_000), 2_000.0 * f64::EPSILON);
    }

    #[test]
    fn blocks_with_copied_halos_give_the_sequential_grid_exactly() {
        // Two blocks in one process, halos copied by hand: what MPI does
        // between ranks, without MPI.
        let (n, steps) = (12, 30);
        let mut upper = Block::new(n, 0, 5);
        let mut lower = Block::new(n, 5, 7);
        for _ in 0..steps {
            let last_of_upper = upper.edges().last_row.to_vec();
            let first_of_lower = lower.edges().first_row.to_vec();
            upper.edges().bottom_halo.copy_from_slice(&first_of_lower);
            lower.edges().top_halo.copy_from_slice(&last_of_upper);
            upper.step();
            lower.step();
        }
        let joined: Vec<f64> = [upper.owned(), lower.owned()].concat();
        let reference = solve_sequential(n, steps);
        assert_eq!(max_abs_difference(&joined, reference.owned()), 0.0);
    }
}
