//! Records a schedule — which activity ran on which OS thread, from when to
//! when — and draws it.
//!
//! A listing creates one [`Recorder`], shares it by reference with every thread
//! it starts, and wraps each activity in [`Recorder::span`]. Afterwards
//! [`Recorder::timeline`] gives the recorded [`Timeline`], which the listing's
//! tests inspect (did every activity run once? did two spans on one thread
//! overlap?) and which [`mermaid_gantt`] and [`svg`] draw, one lane per thread.
//!
//! Recording a span costs two readings of the monotonic clock and one short
//! lock of a shared `Vec` when the span ends, well under a microsecond; the
//! listings record spans that last milliseconds, so the recorder does not
//! change what it records.

mod mermaid;
mod svg;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

pub use mermaid::mermaid_gantt;
pub use svg::svg;

/// One activity as it ran: its name, the thread that ran it, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub activity: Cow<'static, str>,
    pub thread: ThreadId,
    /// The thread's name (`main`, or what `thread::Builder::name` gave it), if
    /// it has one.
    pub thread_name: Option<String>,
    /// Since the recorder was created.
    pub start: Duration,
    pub end: Duration,
}

impl Span {
    pub fn duration(&self) -> Duration {
        self.end.saturating_sub(self.start)
    }

    /// Whether the two spans share an instant (touching ends do not count).
    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

// ANCHOR: recorder
/// Collects spans from any number of threads; share it by reference
/// (`&recorder`).
#[derive(Debug)]
pub struct Recorder {
    origin: Instant,
    spans: Mutex<Vec<Span>>,
}

impl Recorder {
    /// A recorder whose clock starts now: span times are measured from this
    /// instant.
    pub fn new() -> Self {
        Recorder {
            origin: Instant::now(),
            spans: Mutex::new(Vec::new()),
        }
    }

    /// Runs `work` on the calling thread and records it as one span named
    /// `activity`.
    pub fn span<T>(
        &self,
        activity: impl Into<Cow<'static, str>>,
        work: impl FnOnce() -> T,
    ) -> T {
        let start = self.origin.elapsed();
        let result = work();
        let end = self.origin.elapsed();
        self.record(activity.into(), start, end);
        result
    }

    fn record(
        &self,
        activity: Cow<'static, str>,
        start: Duration,
        end: Duration,
    ) {
        let current = thread::current();
        let span = Span {
            activity,
            thread: current.id(),
            thread_name: current.name().map(str::to_string),
            start,
            end,
        };
        // A thread that panicked while pushing cannot have left the Vec
        // half-changed.
        self.spans
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(span);
    }
}
// ANCHOR_END: recorder

impl Recorder {
    /// Records a span measured by the caller (for activities that start and end
    /// in different places, such as one step of an event loop).
    pub fn record_between(
        &self,
        activity: impl Into<Cow<'static, str>>,
        start: Instant,
        end: Instant,
    ) {
        let since = |at: Instant| at.saturating_duration_since(self.origin);
        self.record(activity.into(), since(start), since(end));
    }

    /// The spans recorded so far, in the order they started.
    pub fn timeline(&self) -> Timeline {
        let spans = self
            .spans
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        Timeline::from_spans(spans)
    }
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder::new()
    }
}

/// The spans of one thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lane {
    /// `main`, the threads' name, or `thread 2`, `thread 3`… in order of first
    /// use.
    pub label: String,
    /// The thread of the lane's first span.
    pub thread: ThreadId,
    pub spans: Vec<Span>,
}

/// A recorded schedule: spans ordered by start time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeline {
    spans: Vec<Span>,
}

impl Timeline {
    pub fn from_spans(mut spans: Vec<Span>) -> Self {
        spans.sort_by_key(|span| (span.start, span.end));
        Timeline { spans }
    }

    pub fn spans(&self) -> &[Span] {
        &self.spans
    }

    /// When the last span ended (the schedule's length).
    pub fn end(&self) -> Duration {
        self.spans
            .iter()
            .map(|span| span.end)
            .max()
            .unwrap_or_default()
    }

    /// How many times an activity of this name was recorded.
    pub fn count(&self, activity: &str) -> usize {
        self.spans
            .iter()
            .filter(|span| span.activity == activity)
            .count()
    }

    /// One lane per thread, in the order the threads first recorded a span.
    /// Threads with the same name share a lane: a listing that starts a new
    /// `worker 1` for each phase of its work draws one `worker 1` lane.
    pub fn lanes(&self) -> Vec<Lane> {
        let mut lanes: Vec<Lane> = Vec::new();
        for span in &self.spans {
            let lane = lanes
                .iter_mut()
                .find(|lane| same_lane(&lane.spans[0], span));
            match lane {
                Some(lane) => lane.spans.push(span.clone()),
                None => {
                    let label = span.thread_name.clone().unwrap_or_else(|| {
                        format!("thread {}", lanes.len() + 1)
                    });
                    lanes.push(Lane {
                        label,
                        thread: span.thread,
                        spans: vec![span.clone()],
                    });
                }
            }
        }
        lanes
    }

    /// Whether two spans recorded by the same thread overlap: an activity that
    /// was still in progress when the thread started another (only an
    /// interleaving scheduler on that thread, such as an event loop, does
    /// that).
    pub fn overlaps_within_a_lane(&self) -> bool {
        self.lanes().iter().any(|lane| any_overlap(&lane.spans))
    }

    /// Whether spans on different threads overlap: activities in progress at
    /// the same time on different threads.
    pub fn overlaps_across_lanes(&self) -> bool {
        self.spans.iter().enumerate().any(|(i, a)| {
            self.spans[i + 1..]
                .iter()
                .any(|b| !same_lane(a, b) && a.overlaps(b))
        })
    }
}

/// Spans share a lane if their threads share a name, or, for threads
/// without a name, if they are the same thread.
fn same_lane(a: &Span, b: &Span) -> bool {
    match (&a.thread_name, &b.thread_name) {
        (Some(a), Some(b)) => a == b,
        (None, None) => a.thread == b.thread,
        _ => false,
    }
}

fn any_overlap(spans: &[Span]) -> bool {
    spans
        .iter()
        .enumerate()
        .any(|(i, a)| spans[i + 1..].iter().any(|b| a.overlaps(b)))
}

/// A schedule with the name of the run that produced it (`sequential`, `4
/// threads`…).
pub type Variant<'a> = (&'a str, &'a Timeline);

/// Writes `<stem>.mmd` (a mermaid gantt chart) and `<stem>.svg` into `dir` and
/// returns their file names. Listings call it with the folder named by
/// `BOOK_OUTPUT_DIR`, where the book's build collects the schedules that
/// chapters show.
pub fn write_schedule(
    dir: &Path,
    stem: &str,
    title: &str,
    variants: &[Variant],
) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let files = [
        (format!("{stem}.mmd"), mermaid_gantt(title, variants)),
        (format!("{stem}.svg"), svg(title, variants)),
    ];
    let mut written = Vec::new();
    for (name, content) in files {
        std::fs::write(dir.join(&name), content)?;
        written.push(PathBuf::from(name));
    }
    Ok(written)
}

/// Lays out a lane's spans in rows so that no two spans in one row overlap: one
/// row for a thread that did one thing at a time, more for one that interleaved
/// activities. A span goes into a row whose last span is of its own group if
/// one is free.
pub(crate) fn rows(spans: &[Span]) -> Vec<Vec<&Span>> {
    let mut rows: Vec<Vec<&Span>> = Vec::new();
    for span in spans {
        let free = |row: &Vec<&Span>| {
            row.last().is_none_or(|last| last.end <= span.start)
        };
        let same_group = rows.iter().position(|row| {
            free(row)
                && row.last().is_some_and(|last| group(last) == group(span))
        });
        match same_group.or_else(|| rows.iter().position(free)) {
            Some(row) => rows[row].push(span),
            None => rows.push(vec![span]),
        }
    }
    rows
}

/// The first word of a span's activity (`packet` for `packet 3`): spans of one
/// group are drawn in one colour.
pub(crate) fn group(span: &Span) -> &str {
    span.activity.split_whitespace().next().unwrap_or("")
}

/// A tick step (1, 2 or 5 times a power of ten milliseconds) that puts about
/// eight ticks on an axis of `total` length.
pub(crate) fn tick_step_ms(total: Duration) -> u64 {
    let total_ms = total.as_secs_f64() * 1e3;
    let mut step = 1;
    for power in [1, 10, 100, 1_000, 10_000, 100_000] {
        for multiple in [1, 2, 5] {
            step = power * multiple;
            if total_ms / (step as f64) <= 8.0 {
                return step;
            }
        }
    }
    step
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(
        activity: &'static str,
        thread: ThreadId,
        start: u64,
        end: u64,
    ) -> Span {
        Span {
            activity: activity.into(),
            thread,
            thread_name: None,
            start: Duration::from_millis(start),
            end: Duration::from_millis(end),
        }
    }

    fn other_thread() -> ThreadId {
        thread::spawn(|| thread::current().id())
            .join()
            .expect("the thread only returns its id")
    }

    #[test]
    fn a_span_records_the_calling_thread_and_its_times() {
        let recorder = Recorder::new();
        let value = recorder.span("work", || {
            thread::sleep(Duration::from_millis(2));
            7
        });
        assert_eq!(value, 7);
        let timeline = recorder.timeline();
        let [span] = timeline.spans() else {
            panic!("one span expected: {timeline:?}")
        };
        assert_eq!(span.activity, "work");
        assert_eq!(span.thread, thread::current().id());
        assert!(span.duration() >= Duration::from_millis(2));
    }

    #[test]
    fn lanes_are_per_thread_in_order_of_first_use() {
        let recorder = Recorder::new();
        recorder.span("first", || ());
        thread::scope(|scope| {
            thread::Builder::new()
                .name("worker".into())
                .spawn_scoped(scope, || recorder.span("second", || ()))
                .expect("a thread starts");
        });
        thread::scope(|scope| {
            scope.spawn(|| recorder.span("third", || ()));
        });
        let lanes = recorder.timeline().lanes();
        let labels: Vec<&str> =
            lanes.iter().map(|lane| lane.label.as_str()).collect();
        let main = thread::current().name().map(str::to_string);
        assert_eq!(labels.len(), 3);
        assert_eq!(labels[0], main.unwrap_or_else(|| "thread 1".into()));
        assert_eq!(labels[1..], ["worker", "thread 3"]);
        assert!(lanes.iter().all(|lane| lane.spans.len() == 1));
    }

    #[test]
    fn threads_of_one_name_share_a_lane() {
        let named = |activity, name: &str, start, end| Span {
            thread_name: Some(name.to_string()),
            ..span(activity, other_thread(), start, end)
        };
        let run = Timeline::from_spans(vec![
            named("scan 1", "worker 1", 0, 10),
            named("scan 2", "worker 2", 0, 10),
            named("add 1", "worker 1", 10, 15),
        ]);
        let lanes = run.lanes();
        assert_eq!(lanes.len(), 2);
        assert_eq!(lanes[0].label, "worker 1");
        assert_eq!(lanes[0].spans.len(), 2);
        assert!(!run.overlaps_within_a_lane());
        assert!(run.overlaps_across_lanes());
    }

    #[test]
    fn overlap_is_told_apart_within_and_across_lanes() {
        let here = thread::current().id();
        let there = other_thread();
        let in_turn = Timeline::from_spans(vec![
            span("a", here, 0, 10),
            span("b", here, 10, 20),
        ]);
        assert!(!in_turn.overlaps_within_a_lane());
        assert!(!in_turn.overlaps_across_lanes());

        let parallel = Timeline::from_spans(vec![
            span("a", here, 0, 10),
            span("b", there, 5, 20),
        ]);
        assert!(!parallel.overlaps_within_a_lane());
        assert!(parallel.overlaps_across_lanes());

        let interleaved = Timeline::from_spans(vec![
            span("a", here, 0, 10),
            span("b", here, 5, 20),
        ]);
        assert!(interleaved.overlaps_within_a_lane());
        assert!(!interleaved.overlaps_across_lanes());
    }

    #[test]
    fn spans_overlap_when_they_share_an_instant_either_way_round() {
        let here = thread::current().id();
        let a = span("a", here, 0, 10);
        let inside = span("inside", here, 2, 8);
        let touching = span("touching", here, 10, 20);
        for (x, y) in [(&a, &inside), (&inside, &a)] {
            assert!(x.overlaps(y), "{} and {}", x.activity, y.activity);
        }
        for (x, y) in [(&a, &touching), (&touching, &a)] {
            assert!(!x.overlaps(y), "{} and {}", x.activity, y.activity);
        }
    }

    #[test]
    fn spans_measured_by_the_caller_are_recorded_from_the_origin() {
        let recorder = Recorder::new();
        let start = Instant::now();
        thread::sleep(Duration::from_millis(5));
        let end = Instant::now();
        recorder.record_between("step", start, end);
        recorder.record_between("step", start, start);
        recorder.span("other", || ());
        let timeline = recorder.timeline();
        assert_eq!(timeline.count("step"), 2);
        assert_eq!(timeline.count("other"), 1);
        assert_eq!(timeline.count("absent"), 0);
        let step = &timeline.spans()[1];
        assert_eq!(step.activity, "step");
        assert_eq!(step.duration(), end - start);
        assert!(step.end <= recorder.origin.elapsed());
    }

    #[test]
    fn rows_separate_only_overlapping_spans() {
        let here = thread::current().id();
        let spans = [
            span("a", here, 0, 10),
            span("b", here, 5, 15),
            span("c", here, 10, 20),
        ];
        let names = |rows: Vec<Vec<&Span>>| -> Vec<Vec<String>> {
            rows.iter()
                .map(|row| row.iter().map(|s| s.activity.to_string()).collect())
                .collect()
        };
        assert_eq!(names(rows(&spans)), [vec!["a", "c"], vec!["b"]]);
        // A span prefers the row of its own group when that row is free.
        let grouped = [
            span("x 1", here, 0, 10),
            span("y 1", here, 0, 12),
            span("y 2", here, 12, 20),
            span("x 2", here, 11, 21),
        ];
        assert_eq!(
            names(rows(&grouped)),
            [vec!["x 1", "x 2"], vec!["y 1", "y 2"]]
        );
    }

    #[test]
    fn ticks_are_round_and_few() {
        assert_eq!(tick_step_ms(Duration::from_millis(7)), 1);
        assert_eq!(tick_step_ms(Duration::from_millis(150)), 20);
        assert_eq!(tick_step_ms(Duration::from_millis(360)), 50);
        assert_eq!(tick_step_ms(Duration::from_secs(3)), 500);
    }

    #[test]
    fn write_schedule_writes_both_drawings() {
        let dir = std::env::temp_dir()
            .join(format!("timeline-test-{}", std::process::id()));
        let recorder = Recorder::new();
        recorder.span("only", || ());
        let timeline = recorder.timeline();
        let files =
            write_schedule(&dir, "schedule", "A test", &[("run", &timeline)])
                .expect("the temp dir is writable");
        assert_eq!(
            files,
            [Path::new("schedule.mmd"), Path::new("schedule.svg")]
        );
        for file in files {
            let text =
                std::fs::read_to_string(dir.join(file)).expect("written");
            assert!(text.contains("only"));
        }
        std::fs::remove_dir_all(dir).ok();
    }
}
