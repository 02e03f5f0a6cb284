use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use ch18_wasm_workers::{Picture, checksum, render, render_rows};
use exercises::ch18::claim_bands;

/// `workers` threads draw `picture` with bands of `band` rows, as the
/// shared-memory demo's workers do; returns the picture, how many times
/// each row was claimed, and the rows each worker said it took.
fn draw(picture: Picture, workers: u32, band: u32) -> (Vec<u8>, Vec<u32>) {
    let next_row = AtomicU32::new(0);
    let claims: Vec<AtomicU32> =
        (0..picture.height).map(|_| AtomicU32::new(0)).collect();
    let image = Mutex::new(vec![0; picture.bytes()]);
    let taken: Vec<u32> = thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    claim_bands(&next_row, picture.height, band, |rows| {
                        assert!(
                            !rows.is_empty() && rows.end <= picture.height,
                            "band {rows:?} of a picture {} rows high",
                            picture.height
                        );
                        assert!(
                            rows.len() <= band.max(1) as usize,
                            "band {rows:?} is longer than {band} rows"
                        );
                        for row in rows.clone() {
                            claims[row as usize]
                                .fetch_add(1, Ordering::Relaxed);
                        }
                        let mut pixels =
                            vec![0; picture.row_bytes() * rows.len()];
                        render_rows(&picture, rows.clone(), &mut pixels);
                        let at = rows.start as usize * picture.row_bytes();
                        image.lock().expect("no panic")[at..at + pixels.len()]
                            .copy_from_slice(&pixels);
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a worker panicked"))
            .collect()
    });
    let claims = claims.into_iter().map(AtomicU32::into_inner).collect();
    let total: u32 = taken.iter().sum();
    assert_eq!(total, picture.height, "rows taken, added over the workers");
    (image.into_inner().expect("no panic"), claims)
}

#[test]
fn ch18_every_row_drawn_once_whatever_the_band() {
    let picture = Picture {
        width: 96,
        height: 61,
        max_iter: 200,
    };
    let expected = checksum(&render(&picture));
    for workers in [1, 2, 4] {
        for band in [0, 1, 2, 7, 16, 61, 100] {
            let (image, claims) =
                finishes_within(Duration::from_secs(60), move || {
                    draw(picture, workers, band)
                });
            assert!(
                claims.iter().all(|&claims| claims == 1),
                "{workers} workers, bands of {band}: claims per row {claims:?}"
            );
            assert_eq!(checksum(&image), expected, "the picture");
        }
    }
}

#[test]
fn ch18_bands_are_as_long_as_asked_but_the_last() {
    let next_row = AtomicU32::new(0);
    let mut bands = Vec::new();
    let taken = claim_bands(&next_row, 10, 4, |rows| bands.push(rows));
    assert_eq!(taken, 10);
    assert_eq!(bands, [0..4, 4..8, 8..10]);
    // A counter already past the end hands out nothing.
    let taken = claim_bands(&next_row, 10, 4, |rows| {
        panic!("no rows are left, yet {rows:?} was handed out")
    });
    assert_eq!(taken, 0);
    // Near the counter's limit, a band is still cut at the last row.
    let next_row = AtomicU32::new(u32::MAX - 5);
    let mut bands = Vec::new();
    claim_bands(&next_row, u32::MAX - 2, 4, |rows| bands.push(rows));
    assert_eq!(bands.len(), 1, "one band: {bands:?}");
    assert_eq!(bands[0], u32::MAX - 5..u32::MAX - 2);
}
