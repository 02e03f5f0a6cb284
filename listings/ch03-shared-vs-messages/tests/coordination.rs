//! Both ways of coordinating are correct: the same counts as one loop, every
//! document counted exactly once, and exactly the coordination they claim.

use std::thread;
use std::time::Duration;

use book_helpers::finishes_within;
use ch03_shared_vs_messages::{
    Coordination, count_letters, documents, message_passing, sequential,
    shared_state,
};
use timeline::{Recorder, Timeline};

fn every_doc_counted_once(docs: usize, schedule: &Timeline) {
    for number in 0..docs {
        assert_eq!(schedule.count(&format!("doc {number}")), 1, "doc {number}");
    }
}

#[test]
fn counting_letters_counts_only_lowercase_letters() {
    let counts = count_letters("a cab, Z!");
    assert_eq!(counts[0], 2);
    assert_eq!(counts[1], 1);
    assert_eq!(counts[2], 1);
    assert_eq!(counts.iter().sum::<u64>(), 4);
}

#[test]
fn the_documents_are_the_same_every_time() {
    assert_eq!(documents(3, 100), documents(3, 100));
    assert!(documents(2, 100).iter().all(|doc| doc.len() >= 100));
}

#[test]
fn the_documents_use_many_words_and_stop_at_the_size() {
    let docs = documents(50, 200);
    let words: std::collections::HashSet<&str> =
        docs.iter().flat_map(|doc| doc.split_whitespace()).collect();
    // A hash that picked from only a few words would make every document alike.
    assert!(words.len() >= 20, "only {} distinct words", words.len());
    // Words are added until the size is reached: the last one crosses it.
    for doc in &docs {
        let last = doc.split_whitespace().last().expect("a word");
        assert!(
            doc.len() >= 200 && doc.len() - last.len() - 1 < 200,
            "{doc:?}"
        );
    }
}

#[test]
fn shared_state_locks_once_per_document_and_agrees() {
    let docs = documents(9, 2_000);
    let expected = sequential(&docs, &Recorder::new());
    for workers in [1, 2, 3, 16] {
        let recorder = Recorder::new();
        let (counts, coordination) = shared_state(&docs, workers, &recorder);
        assert_eq!(counts, expected, "{workers} workers");
        let locks = Coordination {
            locks: 9,
            messages: 0,
        };
        assert_eq!(coordination, locks);
        let schedule = recorder.timeline();
        every_doc_counted_once(9, &schedule);
        assert!(!schedule.overlaps_within_a_lane());
        assert!(schedule.lanes().len() <= workers);
    }
}

#[test]
fn messages_go_out_and_come_back_once_per_document() {
    let docs = documents(9, 2_000);
    let expected = sequential(&docs, &Recorder::new());
    for workers in [1, 2, 3, 16] {
        let recorder = Recorder::new();
        let (counts, coordination) = message_passing(&docs, workers, &recorder);
        assert_eq!(counts, expected, "{workers} workers");
        let two_per_doc = Coordination {
            locks: 0,
            messages: 18,
        };
        assert_eq!(coordination, two_per_doc);
        let schedule = recorder.timeline();
        every_doc_counted_once(9, &schedule);
        for number in 0..9 {
            assert_eq!(schedule.count(&format!("add {number}")), 1);
        }
        assert!(!schedule.overlaps_within_a_lane());
    }
}

#[test]
fn no_documents_and_more_workers_than_documents_are_fine() {
    let none: Vec<String> = Vec::new();
    let recorder = Recorder::new();
    assert_eq!(shared_state(&none, 3, &recorder).0, [0; 26]);
    assert_eq!(message_passing(&none, 3, &recorder).0, [0; 26]);
    let one = documents(1, 500);
    let expected = count_letters(&one[0]);
    assert_eq!(message_passing(&one, 8, &recorder).0, expected);
}

#[test]
fn workers_overlap_in_time_given_two_cores() {
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    let docs = documents(8, 200_000);
    let mut overlapped = [false, false];
    // A busy machine may run one worker to the end before another starts, so
    // overlap is required of some attempt, not of every one.
    for _ in 0..20 {
        let shared = Recorder::new();
        shared_state(&docs, 2, &shared);
        overlapped[0] |= shared.timeline().overlaps_across_lanes();
        let messages = Recorder::new();
        message_passing(&docs, 2, &messages);
        overlapped[1] |= messages.timeline().overlaps_across_lanes();
        if overlapped == [true, true] {
            break;
        }
    }
    if cores > 1 {
        assert_eq!(overlapped, [true, true], "[shared state, messages]");
    } else {
        println!("one core: overlap of the workers not checked");
    }
}

#[test]
fn stress_both_ways_fifty_times() {
    finishes_within(Duration::from_secs(60), || {
        let docs = documents(12, 500);
        let expected = sequential(&docs, &Recorder::new());
        for round in 0..50 {
            let workers = 1 + round % 4;
            let recorder = Recorder::new();
            assert_eq!(shared_state(&docs, workers, &recorder).0, expected);
            assert_eq!(message_passing(&docs, workers, &recorder).0, expected);
            let schedule = recorder.timeline();
            assert_eq!(schedule.spans().len(), 12 + 12 + 12);
        }
    });
}
