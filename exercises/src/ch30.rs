//! Chapter 30's exercise: the heat solver's ranks as threads.
//!
//! Write `solve_on_threads`: the decomposition of `ch30-heat-diffusion`, one
//! `Block` of rows per thread, with the halo exchange done over channels
//! instead of MPI, so that the joined grid equals the sequential one exactly.
//! Check it with `cargo exercise ch30`.

/// Runs `steps` steps of heat diffusion on an `n × n` plate cut into `parts`
/// blocks of rows (`ch30_mpi_basics::block`), each stepped by a thread of its
/// own that trades edge rows with its neighbours before every step. Returns
/// every cell of the plate, row after row.
pub fn solve_on_threads(n: usize, steps: usize, parts: usize) -> Vec<f64> {
    // Your code here: `std::thread::scope`, one `std::sync::mpsc` channel per
    // direction between neighbouring blocks, and `Block::edges` for what to
    // send and where to put what arrives.
    todo!()
}
