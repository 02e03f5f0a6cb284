//! The schedule as a mermaid gantt chart: one section per thread, one bar per
//! span.

use std::time::Duration;

use crate::{Variant, tick_step_ms};

/// A mermaid gantt chart of one or more recorded runs on a common time axis in
/// milliseconds: a section per (run, thread), a bar per span.
///
/// Mermaid's gantt charts count time in whole milliseconds (`dateFormat x`), so
/// a span is drawn from and to the nearest millisecond, at least 1 ms long.
/// When every label fits inside its bar, `displayMode: compact` lets the spans
/// of one thread share a row; otherwise each span gets a row of its own.
pub fn mermaid_gantt(title: &str, variants: &[Variant]) -> String {
    let total = variants
        .iter()
        .map(|(_, timeline)| timeline.end())
        .max()
        .unwrap_or_default();
    let axis = if total < Duration::from_secs(1) {
        "%-L ms"
    } else {
        "%-S.%L s"
    };
    let sections: Vec<(String, Vec<String>)> = variants
        .iter()
        .flat_map(|(name, timeline)| {
            timeline.lanes().into_iter().map(move |lane| {
                let bars = lane
                    .spans
                    .iter()
                    .map(|span| {
                        let start = nearest_ms(span.start);
                        let end = nearest_ms(span.end).max(start + 1);
                        format!("{} :{start}, {end}", plain(&span.activity))
                    })
                    .collect();
                (format!("{} · {}", plain(name), plain(&lane.label)), bars)
            })
        })
        .collect();
    let longest = sections
        .iter()
        .map(|(section, _)| section.chars().count())
        .max()
        .unwrap_or(0);

    let mut chart = vec!["---".to_string()];
    if labels_fit_in_bars(variants, total) {
        chart.push("displayMode: compact".into());
    }
    chart.extend([
        "config:".into(),
        "  gantt:".into(),
        // Room on the left for the section names, about 7 px a character.
        format!("    leftPadding: {}", longest * 7 + 16),
        "    barHeight: 22".into(),
        "    fontSize: 12".into(),
        "    sectionFontSize: 12".into(),
        "---".into(),
        "gantt".into(),
        format!("    title {}", plain(title)),
        "    dateFormat x".into(),
        format!("    axisFormat {axis}"),
        format!("    tickInterval {}millisecond", tick_step_ms(total)),
        "    todayMarker off".into(),
    ]);
    for (section, bars) in sections {
        chart.push(format!("    section {section}"));
        chart.extend(bars.into_iter().map(|bar| format!("    {bar}")));
    }
    chart.join("\n") + "\n"
}

/// Whether every span's name fits inside its bar on a chart about 600 px wide,
/// so that bars may share rows without their labels running into each other.
fn labels_fit_in_bars(variants: &[Variant], total: Duration) -> bool {
    let px_per_ms = 600.0 / (total.as_secs_f64() * 1e3).max(1.0);
    variants.iter().all(|(_, timeline)| {
        timeline.spans().iter().all(|span| {
            let width = span.duration().as_secs_f64() * 1e3 * px_per_ms;
            span.activity.chars().count() as f64 * 7.0 + 8.0 < width
        })
    })
}

fn nearest_ms(at: Duration) -> u128 {
    (at.as_micros() + 500) / 1000
}

/// Text safe in a gantt line: mermaid reads `:` as the start of a task's data,
/// `;` and `#` as separators, and a line break as the end of the statement.
fn plain(text: &str) -> String {
    text.chars()
        .map(|c| if ":;#\n\r".contains(c) { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Span, Timeline};
    use std::thread;

    fn timeline(spans: &[(&'static str, u64, u64)]) -> Timeline {
        let thread = thread::current().id();
        Timeline::from_spans(
            spans
                .iter()
                .map(|&(activity, start, end)| Span {
                    activity: activity.into(),
                    thread,
                    thread_name: Some("main".into()),
                    start: Duration::from_micros(start),
                    end: Duration::from_micros(end),
                })
                .collect(),
        )
    }

    #[test]
    fn every_span_is_a_bar_in_its_threads_section() {
        let run =
            timeline(&[("load: part 1", 0, 2_500), ("sum", 2_500, 2_600)]);
        let chart = mermaid_gantt("Two steps", &[("sequential", &run)]);
        let lines: Vec<&str> = chart.lines().collect();
        assert!(lines.contains(&"gantt"));
        assert!(lines.contains(&"    dateFormat x"));
        assert!(lines.contains(&"    section sequential · main"));
        // Millisecond resolution: the short span still gets a visible bar.
        assert!(lines.contains(&"    load  part 1 :0, 3"), "{chart}");
        assert!(lines.contains(&"    sum :3, 4"), "{chart}");
    }

    #[test]
    fn bars_share_rows_only_when_their_labels_fit() {
        let wide = timeline(&[("a", 0, 50_000), ("b", 50_000, 100_000)]);
        let chart = mermaid_gantt("t", &[("run", &wide)]);
        assert!(chart.contains("displayMode: compact"));
        let narrow =
            timeline(&[("a long name", 0, 1_000), ("b", 1_000, 100_000)]);
        let chart = mermaid_gantt("t", &[("run", &narrow)]);
        assert!(!chart.contains("displayMode"));
        assert!(chart.contains("leftPadding: 86"), "{chart}");
    }

    #[test]
    fn the_axis_counts_milliseconds_below_one_second_and_seconds_from_it() {
        let axis = |end_us| {
            let run = timeline(&[("x", 0, end_us)]);
            let chart = mermaid_gantt("t", &[("run", &run)]);
            let line = chart.lines().find(|line| line.contains("axisFormat"));
            line.expect("an axis format").trim().to_string()
        };
        assert_eq!(axis(999_999), "axisFormat %-L ms");
        assert_eq!(axis(1_000_000), "axisFormat %-S.%L s");
        assert_eq!(axis(2_500_000), "axisFormat %-S.%L s");
    }

    #[test]
    fn a_label_fits_a_bar_only_with_room_to_spare() {
        // 600 ms on a 600 px chart: 1 px a millisecond. A one-letter label
        // needs 7 px and 8 px of margin, so more than 15 ms.
        let compact = |split_us| {
            let run = timeline(&[("a", 0, split_us), ("b", split_us, 600_000)]);
            mermaid_gantt("t", &[("run", &run)])
                .contains("displayMode: compact")
        };
        assert!(!compact(15_000), "exactly as wide as the label");
        assert!(compact(16_000));
    }

    #[test]
    fn runs_get_their_own_sections() {
        let a = timeline(&[("x", 0, 1_000)]);
        let b = timeline(&[("x", 0, 2_000)]);
        let chart = mermaid_gantt("t", &[("one", &a), ("two", &b)]);
        assert_eq!(chart.matches("    section ").count(), 2);
        assert_eq!(chart.matches("    x :").count(), 2);
    }
}
