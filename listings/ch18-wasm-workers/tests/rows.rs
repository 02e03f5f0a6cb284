//! The demos' Rust, checked natively with threads in place of Web Workers:
//! tiles put together give the whole picture, and the shared counter hands out
//! every row exactly once.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use ch18_wasm_workers::exports::{
    claim_and_render_rows, free_words, image_checksum, render_band,
    zeroed_words,
};
use ch18_wasm_workers::{Picture, checksum, claim_rows, render, render_rows};

/// Small enough to draw many times in a test, tall enough for many rows to
/// share out.
const SMALL: Picture = Picture {
    width: 96,
    height: 64,
    max_iter: 200,
};

/// A thread that hangs (a lost row would make a worker wait for ever in a real
/// pool) fails the test instead.
const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn tiles_of_any_height_put_together_give_the_whole_picture() {
    let whole = render(&SMALL);
    for band in [1, 5, 16, 64] {
        let mut tiled = vec![0u8; SMALL.bytes()];
        for first in (0..SMALL.height).step_by(band as usize) {
            let end = (first + band).min(SMALL.height);
            let at = first as usize * SMALL.row_bytes();
            let len = (end - first) as usize * SMALL.row_bytes();
            render_rows(&SMALL, first..end, &mut tiled[at..at + len]);
        }
        assert_eq!(checksum(&tiled), checksum(&whole), "bands of {band} rows");
        assert_eq!(tiled, whole, "bands of {band} rows");
    }
}

#[test]
fn the_exported_band_function_draws_what_render_rows_draws() {
    let mut band = vec![0u8; SMALL.row_bytes() * 10];
    // SAFETY: the buffer holds exactly rows 20..30.
    unsafe {
        render_band(
            SMALL.width,
            SMALL.height,
            SMALL.max_iter,
            20,
            30,
            band.as_mut_ptr(),
        )
    };
    let whole = render(&SMALL);
    let at = 20 * SMALL.row_bytes();
    assert_eq!(band, whole[at..at + band.len()]);
    // SAFETY: the length is the vector's.
    let fingerprint =
        unsafe { image_checksum(whole.as_ptr(), whole.len() as u32) };
    assert_eq!(fingerprint, checksum(&whole));
}

/// Every row claimed once: `threads` threads share one counter over `height`
/// rows.
fn claim_with(threads: u32, height: u32) -> (Vec<u32>, Vec<u32>) {
    let next_row = Arc::new(AtomicU32::new(0));
    let claims: Arc<Vec<AtomicU32>> =
        Arc::new((0..height).map(|_| AtomicU32::new(0)).collect());
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (next_row, claims) =
                (Arc::clone(&next_row), Arc::clone(&claims));
            thread::spawn(move || {
                claim_rows(&next_row, height, |row| {
                    claims[row as usize].fetch_add(1, Ordering::Relaxed);
                })
            })
        })
        .collect();
    let taken = workers
        .into_iter()
        .map(|worker| worker.join().expect("a claiming thread panicked"))
        .collect();
    let claims = claims.iter().map(|c| c.load(Ordering::Relaxed)).collect();
    (taken, claims)
}

#[test]
fn the_counter_hands_out_every_row_exactly_once_under_stress() {
    finishes_within(LIMIT, || {
        for round in 0..200u32 {
            let threads = [1, 2, 3, 4, 8][round as usize % 5];
            let height = 50 + round * 7;
            let (taken, claims) = claim_with(threads, height);
            assert_eq!(
                taken.iter().sum::<u32>(),
                height,
                "round {round}, {threads} threads"
            );
            assert!(
                claims.iter().all(|&c| c == 1),
                "round {round}, {threads} threads: a row was claimed {} times",
                claims.iter().find(|&&c| c != 1).copied().unwrap_or(1)
            );
        }
    });
}

/// The export the workers call, called from native threads on one shared
/// buffer, the way the browser's workers share one `WebAssembly.Memory`.
#[test]
fn workers_sharing_one_image_draw_the_reference_picture() {
    let reference = checksum(&render(&SMALL));
    finishes_within(LIMIT, move || {
        for threads in [1, 2, 3, 4, 6] {
            for _ in 0..10 {
                let height = SMALL.height;
                let words = height + 1 + (SMALL.bytes() / 4) as u32;
                let memory = zeroed_words(words) as usize;
                // Layout as on the page: the counter, then one claim count per
                // row, then the image.
                let (next_row, claims, image) =
                    (memory, memory + 4, memory + 4 + height as usize * 4);
                let workers: Vec<_> = (0..threads)
                    .map(|_| {
                        thread::spawn(move || {
                            // SAFETY: the buffer outlives the threads (joined
                            // below) and is
                            // laid out as `claim_and_render_rows` asks.
                            unsafe {
                                claim_and_render_rows(
                                    SMALL.width,
                                    SMALL.height,
                                    SMALL.max_iter,
                                    next_row as *const AtomicU32,
                                    claims as *const AtomicU32,
                                    image as *mut u8,
                                )
                            }
                        })
                    })
                    .collect();
                let taken: u32 = workers
                    .into_iter()
                    .map(|w| w.join().expect("no panic"))
                    .sum();
                // SAFETY: every worker has been joined; the buffer is ours
                // alone again.
                let (claims, drawn) = unsafe {
                    (
                        std::slice::from_raw_parts(
                            claims as *const u32,
                            height as usize,
                        ),
                        std::slice::from_raw_parts(
                            image as *const u8,
                            SMALL.bytes(),
                        ),
                    )
                };
                assert_eq!(taken, height, "{threads} threads");
                assert!(
                    claims.iter().all(|&c| c == 1),
                    "{threads} threads: {claims:?}"
                );
                assert_eq!(checksum(drawn), reference, "{threads} threads");
                // SAFETY: allocated above with the same count, not used after
                // this.
                unsafe { free_words(memory as *mut u32, words) };
            }
        }
    });
}
