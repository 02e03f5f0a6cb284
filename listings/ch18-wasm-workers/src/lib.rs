//! The Rust half of the browser chapter's three demos.
//!
//! The same functions are compiled twice: natively, where the tests below and
//! in `tests/` check them with ordinary threads, and to WebAssembly (`cargo
//! xtask build`), where the chapter's pages call them from the main thread and
//! from Web Workers through the `extern "C"` functions in [`exports`]. Nothing
//! here knows which of the two it runs in.

pub mod exports;

use std::ops::Range;
use std::sync::atomic::{AtomicU32, Ordering};

/// A picture of the Mandelbrot set: its size in pixels and how hard each pixel
/// works.
///
/// The region of the plane is fixed (the whole set, real parts -2.2 to 0.8);
/// only the size and the iteration limit vary, so a picture is three numbers
/// that JavaScript can pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    pub max_iter: u32,
}

impl Picture {
    /// The picture the chapter's pages draw; the browser test compares their
    /// checksum with [`checksum`] of [`render`] of this one.
    pub const DEMO: Picture = Picture {
        width: 720,
        height: 480,
        max_iter: 2_000,
    };

    /// Bytes in one row of RGBA pixels, the layout of a canvas's `ImageData`.
    pub fn row_bytes(&self) -> usize {
        self.width as usize * 4
    }

    pub fn bytes(&self) -> usize {
        self.row_bytes() * self.height as usize
    }

    /// The point of the complex plane at the centre of pixel (`col`, `row`).
    fn point(&self, col: u32, row: u32) -> (f64, f64) {
        let step = 3.0 / f64::from(self.width);
        let top = step * f64::from(self.height) / 2.0;
        (
            -2.2 + (f64::from(col) + 0.5) * step,
            top - (f64::from(row) + 0.5) * step,
        )
    }
}

// ANCHOR: escape_time
/// How many steps of `z = z² + c` keep `z` within radius 2, up to `max_iter`.
///
/// Only additions, subtractions, multiplications and comparisons of `f64`: IEEE
/// 754 makes each of them exact to the bit on every machine, so a wasm32 build
/// in a browser and an x86_64 build agree on every pixel, and a checksum can
/// compare them.
pub fn escape_time(cx: f64, cy: f64, max_iter: u32) -> u32 {
    let (mut x, mut y) = (0.0f64, 0.0f64);
    for step in 0..max_iter {
        let (xx, yy) = (x * x, y * y);
        if xx + yy > 4.0 {
            return step;
        }
        let xy = x * y;
        x = xx - yy + cx;
        y = xy + xy + cy;
    }
    max_iter
}
// ANCHOR_END: escape_time

/// The RGBA colour of a pixel whose point escaped after `steps`: black inside
/// the set, then blue through gold as points escape later.
pub fn shade(steps: u32, max_iter: u32) -> [u8; 4] {
    if steps >= max_iter {
        return [0, 0, 0, 255];
    }
    // Early escapes are the most common; a square root spreads them over the
    // palette.
    let t = (f64::from(steps) / f64::from(max_iter)).sqrt();
    let u = 1.0 - t;
    let channel = |value: f64| (value * 255.0).min(255.0) as u8;
    [
        channel(9.0 * u * t * t * t * 4.0),
        channel(15.0 * u * u * t * t * 1.6),
        channel(8.5 * u * u * u * t * 1.5 + 0.15 * u),
        255,
    ]
}

// ANCHOR: render_rows
/// Draws rows `rows` of `picture` into `out`, which holds exactly those rows as
/// RGBA.
///
/// This is the unit of work every demo hands out: a worker gets a band of rows,
/// draws it, and the band's pixels go back to the page to be put on the canvas.
pub fn render_rows(picture: &Picture, rows: Range<u32>, out: &mut [u8]) {
    let row_bytes = picture.row_bytes();
    assert_eq!(
        out.len(),
        row_bytes * rows.len(),
        "the buffer must hold the rows it is asked for"
    );
    for (row, line) in rows.zip(out.chunks_exact_mut(row_bytes)) {
        for (col, pixel) in (0..picture.width).zip(line.chunks_exact_mut(4)) {
            let (cx, cy) = picture.point(col, row);
            pixel.copy_from_slice(&shade(
                escape_time(cx, cy, picture.max_iter),
                picture.max_iter,
            ));
        }
    }
}
// ANCHOR_END: render_rows

/// The whole picture in one call: what the first demo runs on the page's main
/// thread.
pub fn render(picture: &Picture) -> Vec<u8> {
    let mut out = vec![0; picture.bytes()];
    render_rows(picture, 0..picture.height, &mut out);
    out
}

/// A 32-bit FNV-1a hash of the image's bytes: the page computes it of what it
/// drew (with the WebAssembly build of this function) and the tests compare it
/// with the native one.
pub fn checksum(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |hash, &byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

// ANCHOR: claim_rows
/// Takes rows from the shared counter `next_row` until none are left, calling
/// `draw` on each one taken, and says how many this caller took.
///
/// `fetch_add` reads and increments in one indivisible step, so two workers can
/// never be handed the same row, and no row is skipped. `Relaxed` is enough:
/// the counter orders nothing but itself. The pixels reach the page by another
/// route (the worker's "done" message, or a join natively), which is what makes
/// them visible.
pub fn claim_rows(
    next_row: &AtomicU32,
    height: u32,
    mut draw: impl FnMut(u32),
) -> u32 {
    let mut taken = 0;
    loop {
        let row = next_row.fetch_add(1, Ordering::Relaxed);
        if row >= height {
            return taken;
        }
        draw(row);
        taken += 1;
    }
}
// ANCHOR_END: claim_rows

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_inside_never_escape_and_far_points_escape_at_once() {
        assert_eq!(escape_time(0.0, 0.0, 500), 500);
        assert_eq!(escape_time(-1.0, 0.0, 500), 500);
        assert_eq!(escape_time(2.0, 2.0, 500), 1);
        assert_eq!(escape_time(0.5, 0.5, 500), 5);
        // On the real axis |z|² is x² alone: z₁ = -2.5 is outside radius 2.
        assert_eq!(escape_time(-2.5, 0.0, 500), 1);
        // Radius 2 itself is still inside: z₁ = 2 goes on, z₂ = 6 escapes.
        assert_eq!(escape_time(2.0, 0.0, 500), 2);
    }

    #[test]
    fn pixels_map_to_their_centres_on_the_plane() {
        // Three pixels across the 3 units from -2.2 make each pixel 1 wide;
        // two rows are centred on the real axis.
        let picture = Picture {
            width: 3,
            height: 2,
            max_iter: 1,
        };
        let near = |(x, y): (f64, f64), (ex, ey): (f64, f64)| {
            (x - ex).abs() < 1e-12 && (y - ey).abs() < 1e-12
        };
        assert!(near(picture.point(0, 0), (-1.7, 0.5)));
        assert!(near(picture.point(2, 1), (0.3, -0.5)));
        assert_eq!(picture.row_bytes(), 12);
        assert_eq!(picture.bytes(), 24);
    }

    #[test]
    fn inside_is_black_and_escapes_run_through_the_palette() {
        assert_eq!(shade(100, 100), [0, 0, 0, 255]);
        for steps in 0..100 {
            assert_eq!(shade(steps, 100)[3], 255);
        }
        // t = √(1/100) = 0.1, u = 0.9: red 9·u·t³·4 = 0.0324, green
        // 15·u²·t²·1.6 = 0.1944, blue 8.5·u³·t·1.5 + 0.15·u = 1.064 (full).
        assert_eq!(shade(1, 100), [8, 49, 255, 255]);
        // t = 0.8, u = 0.2: red 3.69 (full), green 0.6144, blue 0.1116.
        assert_eq!(shade(64, 100), [255, 156, 28, 255]);
    }

    #[test]
    fn each_pixel_is_the_shade_of_its_points_escape_time() {
        let picture = Picture {
            width: 30,
            height: 20,
            max_iter: 100,
        };
        let image = render(&picture);
        assert_eq!(image.len(), 30 * 20 * 4);
        let mut black = 0;
        for (at, pixel) in image.chunks_exact(4).enumerate() {
            let at = at as u32;
            let (col, row) = (at % picture.width, at / picture.width);
            let (cx, cy) = picture.point(col, row);
            let steps = escape_time(cx, cy, picture.max_iter);
            let expected = shade(steps, picture.max_iter);
            assert_eq!(pixel, expected, "pixel ({col}, {row})");
            black += usize::from(steps == picture.max_iter);
        }
        // The set and its outside both show.
        assert!(black > 0 && black < 600, "{black} black pixels");
    }

    #[test]
    fn checksum_is_fnv1a() {
        // Reference values of 32-bit FNV-1a.
        assert_eq!(checksum(b""), 0x811c_9dc5);
        assert_eq!(checksum(b"a"), 0xe40c_292c);
        assert_eq!(checksum(b"foobar"), 0xbf9c_f968);
    }
}
