//! A vector job: the same small computation applied to every pixel of an image.
//!
//! No pixel depends on another, so the image can be cut into parts and the
//! parts done in any order, interleaved, or at the same time — the answer is
//! the same. Unlike the drivers of the previous listing, this job never waits:
//! a part makes progress only while a core is computing it.

use std::thread;
use std::time::Instant;

use timeline::Recorder;

// ANCHOR: pixel
/// Maps one high-dynamic-range brightness (0 and up) to an 8-bit display value:
/// compress it into 0..1 (Reinhard's `x / (1 + x)`), then gamma-encode it.
pub fn tone_map(brightness: f32) -> u8 {
    let compressed = brightness / (1.0 + brightness);
    (255.0 * compressed.powf(1.0 / 2.2)).round() as u8
}
// ANCHOR_END: pixel

/// A deterministic test image of `pixels` brightness values between 0 and 4.
pub fn test_image(pixels: usize) -> Vec<f32> {
    (0..pixels as u64)
        .map(|i| {
            // A cheap integer hash, so the image looks like noise but is the
            // same every run; its top 24 bits become the brightness.
            let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            x ^= x >> 29;
            x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
            (x >> 40) as f32 / (1u64 << 24) as f32 * 4.0
        })
        .collect()
}

/// The sum of all display values: a short fingerprint of a whole output image.
pub fn checksum(image: &[u8]) -> u64 {
    image.iter().map(|&value| u64::from(value)).sum()
}

fn tone_map_part(input: &[f32], output: &mut [u8]) {
    for (out, &brightness) in output.iter_mut().zip(input) {
        *out = tone_map(brightness);
    }
}

/// Cuts `len` pixels into `parts` nearly equal, contiguous ranges.
fn part_len(len: usize, parts: usize) -> usize {
    len.div_ceil(parts.max(1)).max(1)
}

// ANCHOR: one_loop
/// Every part in turn, on the calling thread.
pub fn one_loop(input: &[f32], parts: usize, recorder: &Recorder) -> Vec<u8> {
    let mut output = vec![0; input.len()];
    let size = part_len(input.len(), parts);
    let pieces = input.chunks(size).zip(output.chunks_mut(size));
    for (number, (input, output)) in pieces.enumerate() {
        recorder.span(format!("part {}", number + 1), || {
            tone_map_part(input, output)
        });
    }
    output
}
// ANCHOR_END: one_loop

/// How many pixels the interleaving loop does of one part before it turns to
/// the next.
pub const SLICE: usize = 16 * 1024;

// ANCHOR: interleaved
/// All parts in progress at once on the calling thread: a slice of each in
/// turn, round and round, until every part is done.
pub fn interleaved_on_one_thread(
    input: &[f32],
    parts: usize,
    recorder: &Recorder,
) -> Vec<u8> {
    let mut output = vec![0; input.len()];
    let size = part_len(input.len(), parts);
    let mut pieces: Vec<_> =
        input.chunks(size).zip(output.chunks_mut(size)).collect();
    let mut started = vec![None; pieces.len()];
    let mut done = 0;
    while done < pieces.len() {
        for (number, (input, output)) in pieces.iter_mut().enumerate() {
            if input.is_empty() {
                continue; // this part is finished
            }
            let first = *started[number].get_or_insert_with(Instant::now);
            let take = SLICE.min(input.len());
            tone_map_part(&input[..take], &mut output[..take]);
            *input = &input[take..];
            *output = &mut std::mem::take(output)[take..];
            if input.is_empty() {
                recorder.record_between(
                    format!("part {}", number + 1),
                    first,
                    Instant::now(),
                );
                done += 1;
            }
        }
    }
    output
}
// ANCHOR_END: interleaved

// ANCHOR: on_threads
/// Each part on a thread of its own, all at the same time.
pub fn on_threads(input: &[f32], parts: usize, recorder: &Recorder) -> Vec<u8> {
    let mut output = vec![0; input.len()];
    let size = part_len(input.len(), parts);
    thread::scope(|scope| {
        let pieces = input.chunks(size).zip(output.chunks_mut(size));
        for (number, (input, output)) in pieces.enumerate() {
            thread::Builder::new()
                .name(format!("worker {}", number + 1))
                .spawn_scoped(scope, move || {
                    recorder.span(format!("part {}", number + 1), || {
                        tone_map_part(input, output)
                    });
                })
                .expect("the system can start a thread");
        }
    });
    output
}
// ANCHOR_END: on_threads

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tone_map_keeps_black_and_approaches_white() {
        assert_eq!(tone_map(0.0), 0);
        assert!(tone_map(1.0) > 128);
        assert_eq!(tone_map(1e9), 255);
    }

    #[test]
    fn the_test_image_is_hashed_noise_between_0_and_4() {
        // The top 24 bits of the hash of i, scaled to 0..4: k / 2^22 for the
        // 24-bit k, exact in an f32. (k computed apart from this code, from
        // the multiply, xorshift, multiply the function does.)
        let scaled = [0, 13_238_423, 7_090_759, 15_380_822]
            .map(|k: u32| k as f32 / (1 << 22) as f32);
        assert_eq!(test_image(4), scaled);
        let image = test_image(100_000);
        assert!(image.iter().all(|&b| (0.0..4.0).contains(&b)));
        let mean = image.iter().map(|&b| f64::from(b)).sum::<f64>() / 1e5;
        assert!((mean - 2.0).abs() < 0.02, "mean {mean}");
    }

    #[test]
    fn the_checksum_adds_every_display_value() {
        assert_eq!(checksum(&[1, 2, 255]), 258);
        assert_eq!(checksum(&[]), 0);
    }

    #[test]
    fn tone_map_is_reinhard_then_gamma() {
        // x / (1 + x) takes 1 to 1/2 and 3 to 3/4; 255 · (1/2)^(1/2.2) is
        // 186.08 and 255 · (3/4)^(1/2.2) is 223.74.
        assert_eq!(tone_map(1.0), 186);
        assert_eq!(tone_map(3.0), 224);
    }

    #[test]
    fn parts_cover_the_image_whatever_the_count() {
        for (len, parts) in [(10, 3), (10, 10), (10, 16), (1, 4)] {
            let size = part_len(len, parts);
            assert!(size * parts >= len && size >= 1);
        }
    }
}
