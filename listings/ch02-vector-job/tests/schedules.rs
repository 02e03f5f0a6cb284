//! What must hold whichever way the image is processed: identical output, every
//! part recorded once, and the overlap each way promises.

use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use ch02_vector_job::{
    SLICE, interleaved_on_one_thread, on_threads, one_loop, test_image,
};
use timeline::{Recorder, Timeline};

type Way = fn(&[f32], usize, &Recorder) -> Vec<u8>;

fn run(way: Way, image: &[f32], parts: usize) -> (Vec<u8>, Timeline) {
    let recorder = Recorder::new();
    let output = way(image, parts, &recorder);
    (output, recorder.timeline())
}

fn every_part_recorded_once(parts: usize, schedule: &Timeline) {
    assert_eq!(schedule.spans().len(), parts);
    for number in 1..=parts {
        assert_eq!(
            schedule.count(&format!("part {number}")),
            1,
            "{schedule:?}"
        );
    }
}

#[test]
fn the_three_ways_produce_the_same_image() {
    let image = test_image(3 * SLICE + 17);
    for parts in [1, 2, 3, 7] {
        let (expected, _) = run(one_loop, &image, parts);
        assert_eq!(expected.len(), image.len());
        assert_eq!(run(interleaved_on_one_thread, &image, parts).0, expected);
        assert_eq!(run(on_threads, &image, parts).0, expected);
    }
}

#[test]
fn the_loop_and_the_interleaving_stay_on_one_thread() {
    let image = test_image(8 * SLICE);
    let (_, in_turn) = run(one_loop, &image, 4);
    every_part_recorded_once(4, &in_turn);
    assert_eq!(in_turn.lanes().len(), 1);
    assert!(!in_turn.overlaps_within_a_lane());

    let (_, interleaved) = run(interleaved_on_one_thread, &image, 4);
    every_part_recorded_once(4, &interleaved);
    assert_eq!(interleaved.lanes().len(), 1);
    // All four parts were in progress at once, on one thread.
    assert!(interleaved.overlaps_within_a_lane());
}

#[test]
fn threads_get_a_lane_each_and_overlap_given_two_cores() {
    let image = test_image(1 << 21);
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    // On a busy machine one worker may finish before the other gets a core, so
    // the overlap is required of some attempt, not of every one.
    let mut overlapped = false;
    for _ in 0..20 {
        let (_, schedule) = run(on_threads, &image, 2);
        every_part_recorded_once(2, &schedule);
        assert_eq!(schedule.lanes().len(), 2);
        assert!(!schedule.overlaps_within_a_lane());
        overlapped |= schedule.overlaps_across_lanes();
        if overlapped {
            break;
        }
    }
    if cores > 1 {
        assert!(overlapped, "two workers never ran at the same time");
    } else {
        println!("one core: overlap of the parallel run not checked");
    }
}

#[test]
fn stress_the_three_ways_fifty_times() {
    finishes_within(Duration::from_secs(60), || {
        let image = test_image(2 * SLICE + 5);
        let (expected, _) = run(one_loop, &image, 3);
        for _ in 0..50 {
            for way in [interleaved_on_one_thread as Way, on_threads] {
                let (output, schedule) = run(way, &image, 3);
                assert_eq!(output, expected);
                every_part_recorded_once(3, &schedule);
            }
        }
    });
}
