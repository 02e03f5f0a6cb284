//! Chapter 30's exercise, solved: the heat solver's ranks as threads.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread;

use ch30_heat_diffusion::Block;
use ch30_mpi_basics::block;

// ANCHOR: threads
/// One thread per block of rows; before every step each sends its first row
/// up and its last row down, then fills its halos from what its neighbours
/// sent.
pub fn solve_on_threads(n: usize, steps: usize, parts: usize) -> Vec<f64> {
    // Channel p of `to_top` carries rows into block p's top halo; of
    // `to_bottom`, into its bottom halo.
    type Link = (Sender<Vec<f64>>, Receiver<Vec<f64>>);
    let (to_top, from_above): (Vec<_>, Vec<_>) =
        (0..parts).map(|_| -> Link { channel() }).unzip();
    let (to_bottom, from_below): (Vec<_>, Vec<_>) =
        (0..parts).map(|_| -> Link { channel() }).unzip();
    thread::scope(|scope| {
        let ranks: Vec<_> = from_above
            .into_iter()
            .zip(from_below)
            .enumerate()
            .map(|(p, (from_above, from_below))| {
                let below = to_top.get(p + 1).cloned();
                let above = p.checked_sub(1).map(|up| to_bottom[up].clone());
                scope.spawn(move || {
                    let (first, rows) = block(n, parts, p);
                    let mut mine = Block::new(n, first, rows);
                    for _ in 0..steps {
                        let edges = mine.edges();
                        if let Some(above) = &above {
                            let _ = above.send(edges.first_row.to_vec());
                            let row = from_above.recv().expect("a row");
                            edges.top_halo.copy_from_slice(&row);
                        }
                        if let Some(below) = &below {
                            let _ = below.send(edges.last_row.to_vec());
                            let row = from_below.recv().expect("a row");
                            edges.bottom_halo.copy_from_slice(&row);
                        }
                        mine.step();
                    }
                    mine.owned().to_vec()
                })
            })
            .collect();
        ranks
            .into_iter()
            .flat_map(|rank| rank.join().expect("a rank does not panic"))
            .collect()
    })
}
// ANCHOR_END: threads
