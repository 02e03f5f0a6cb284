//! Recorded runs drawn as mermaid and SVG: every activity appears, lanes are
//! per thread, and the SVG is well-formed XML.

use std::thread;
use std::time::Duration;

use timeline::{Recorder, Timeline, mermaid_gantt, svg};

const STEPS: [&str; 4] =
    ["load <input>", "parse & check", "sum", "print \"total\""];

fn sequential() -> Timeline {
    let recorder = Recorder::new();
    for step in STEPS {
        recorder.span(step, || thread::sleep(Duration::from_millis(2)));
    }
    recorder.timeline()
}

fn on_threads() -> Timeline {
    let recorder = Recorder::new();
    thread::scope(|scope| {
        for step in STEPS {
            let recorder = &recorder;
            scope.spawn(move || {
                recorder.span(step, || thread::sleep(Duration::from_millis(5)))
            });
        }
    });
    recorder.timeline()
}

/// Checks that every tag is closed in order and that the document has one root;
/// returns the element names in document order.
fn well_formed_elements(xml: &str) -> Vec<String> {
    let mut open: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    let mut rest = xml;
    let mut roots = 0;
    while let Some(start) = rest.find('<') {
        let text = &rest[..start];
        assert!(!text.contains('>'), "a stray '>' in text: {text}");
        let end = rest[start..].find('>').expect("every tag is closed") + start;
        let tag = &rest[start + 1..end];
        assert!(!tag.contains('<'), "a '<' inside a tag: {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            let expected =
                open.pop().expect("a closing tag closes an open element");
            assert_eq!(name.trim(), expected, "closing tags nest");
        } else {
            let name: String =
                tag.chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(!name.is_empty(), "a tag without a name: <{tag}>");
            assert_eq!(
                tag.matches('"').count() % 2,
                0,
                "attribute quotes pair up: {tag}"
            );
            if open.is_empty() {
                roots += 1;
            }
            seen.push(name.clone());
            if !tag.ends_with('/') {
                open.push(name);
            }
        }
        rest = &rest[end + 1..];
    }
    assert!(open.is_empty(), "unclosed elements: {open:?}");
    assert_eq!(roots, 1, "one root element");
    seen
}

fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[test]
fn a_sequential_run_has_one_lane_without_overlap() {
    let run = sequential();
    let lanes = run.lanes();
    assert_eq!(lanes.len(), 1);
    assert_eq!(lanes[0].spans.len(), STEPS.len());
    assert!(!run.overlaps_within_a_lane());
    assert!(!run.overlaps_across_lanes());
    for step in STEPS {
        assert_eq!(run.count(step), 1, "{step}");
    }
}

#[test]
fn a_threaded_run_has_a_lane_per_thread_and_overlaps() {
    let run = on_threads();
    assert_eq!(run.lanes().len(), STEPS.len());
    assert!(!run.overlaps_within_a_lane());
    // Each span sleeps 5 ms; threads that sleep overlap in time even on one
    // core.
    assert!(run.overlaps_across_lanes());
}

#[test]
fn the_svg_is_well_formed_and_names_every_activity() {
    let (a, b) = (sequential(), on_threads());
    let drawing =
        svg("Steps & <threads>", &[("in turn", &a), ("on threads", &b)]);
    let elements = well_formed_elements(&drawing);
    assert_eq!(elements[0], "svg");
    let bars = elements.iter().filter(|name| *name == "rect").count();
    // a background, a band per lane, a bar per span, a legend swatch per first
    // word
    assert_eq!(bars, 1 + (1 + STEPS.len()) + 2 * STEPS.len() + STEPS.len());
    for word in ["load", "parse", "sum", "print"] {
        assert!(
            drawing.contains(&format!(">{word}</text>")),
            "legend names {word}"
        );
    }
    for step in STEPS {
        assert_eq!(
            drawing
                .matches(&format!("<title>{} (", escaped(step)))
                .count(),
            2,
            "{step}"
        );
    }
    assert!(drawing.contains("Steps &amp; &lt;threads&gt;"));
}

#[test]
fn the_gantt_chart_has_a_section_per_lane_and_a_bar_per_span() {
    let (a, b) = (sequential(), on_threads());
    let chart = mermaid_gantt("Steps", &[("in turn", &a), ("on threads", &b)]);
    assert_eq!(chart.matches("\n    section in turn · ").count(), 1);
    assert_eq!(
        chart.matches("\n    section on threads · ").count(),
        STEPS.len()
    );
    for step in STEPS {
        assert_eq!(
            chart.matches(&format!("\n    {step} :")).count(),
            2,
            "{chart}"
        );
    }
}

#[test]
fn recording_from_many_threads_loses_nothing() {
    // A small stress run: many threads, many spans, repeated.
    for _ in 0..50 {
        let recorder = Recorder::new();
        thread::scope(|scope| {
            for t in 0..4 {
                let recorder = &recorder;
                scope.spawn(move || {
                    for i in 0..100 {
                        recorder.span(format!("t{t} s{i}"), || ());
                    }
                });
            }
        });
        let run = recorder.timeline();
        assert_eq!(run.spans().len(), 400);
        assert!(!run.overlaps_within_a_lane());
    }
}
