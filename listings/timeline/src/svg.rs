//! The schedule as a standalone SVG: one lane per thread, one bar per span, on
//! a white card so it reads the same in every colour theme of the book.

use std::fmt::Write;

use crate::{Variant, group, rows, tick_step_ms};

const WIDTH: f64 = 760.0;
const LABEL_WIDTH: f64 = 130.0;
const RIGHT_MARGIN: f64 = 34.0;
const ROW_HEIGHT: f64 = 20.0;
const ROW_GAP: f64 = 4.0;
const TITLE_HEIGHT: f64 = 34.0;
const RUN_HEADING: f64 = 24.0;
const RUN_GAP: f64 = 10.0;
const AXIS_HEIGHT: f64 = 34.0;
/// About how wide one character of the 11 px bar labels is.
const CHAR_WIDTH: f64 = 6.4;

/// Fill colours for bars, light enough for dark text; spans whose names share a
/// first word (`network packet 1`, `network packet 2`) share a colour.
const PALETTE: [&str; 8] = [
    "#8ecae6", "#ffc857", "#a7c957", "#f4a3a8", "#cdb4db", "#f6bd60",
    "#9ad1b7", "#bcc6f5",
];

/// An SVG drawing of one or more recorded runs on a common time axis: per run a
/// heading, then a lane per thread; a thread that interleaved activities gets
/// as many rows as it had activities in progress at once.
pub fn svg(title: &str, variants: &[Variant]) -> String {
    let total_ms = variants
        .iter()
        .map(|(_, timeline)| timeline.end().as_secs_f64() * 1e3)
        .fold(0.0, f64::max);
    let step = tick_step_ms(std::time::Duration::from_secs_f64(total_ms / 1e3));
    let axis_ms = ((total_ms / step as f64).ceil().max(1.0)) * step as f64;
    let plot_width = WIDTH - LABEL_WIDTH - RIGHT_MARGIN;
    let x_of = |ms: f64| LABEL_WIDTH + ms / axis_ms * plot_width;

    let mut groups: Vec<String> = Vec::new();
    let mut bands = String::new();
    let mut body = String::new();
    let mut y = TITLE_HEIGHT;
    for (name, timeline) in variants {
        let _ = writeln!(
            body,
            r#"<text x="8" y="{:.1}" font-weight="bold">{}</text>"#,
            y + 16.0,
            escape(name)
        );
        y += RUN_HEADING;
        for (index, lane) in timeline.lanes().iter().enumerate() {
            let lane_rows = rows(&lane.spans);
            let height = lane_rows.len() as f64 * (ROW_HEIGHT + ROW_GAP);
            let band = if index % 2 == 0 { "#f2f4f7" } else { "#ffffff" };
            let _ = writeln!(
                bands,
                r#"<rect x="0" y="{y:.1}" width="{WIDTH}" height="{height:.1}" fill="{band}"/>"#
            );
            let _ = writeln!(
                body,
                r#"<text x="16" y="{:.1}">{}</text>"#,
                y + height / 2.0 + 4.0,
                escape(&lane.label)
            );
            for (row_index, row) in lane_rows.iter().enumerate() {
                let top = y
                    + ROW_GAP / 2.0
                    + row_index as f64 * (ROW_HEIGHT + ROW_GAP);
                for span in row {
                    let colour = colour_of(&mut groups, group(span));
                    let start = span.start.as_secs_f64() * 1e3;
                    let end = span.end.as_secs_f64() * 1e3;
                    let x = x_of(start);
                    let width = (x_of(end) - x).max(1.0);
                    let name = escape(&span.activity);
                    let _ = write!(
                        body,
                        r##"<g><title>{name} ({start:.1}–{end:.1} ms)</title><rect x="{x:.1}" y="{top:.1}" width="{width:.1}" height="{ROW_HEIGHT}" rx="3" fill="{colour}" stroke="#33415c" stroke-width="0.6"/>"##
                    );
                    // The whole name if it fits, else its last word (`3` of
                    // `frame 3`).
                    let fits = |text: &str| {
                        text.chars().count() as f64 * CHAR_WIDTH + 6.0 < width
                    };
                    let last_word =
                        span.activity.split_whitespace().last().unwrap_or("");
                    let label = [span.activity.as_ref(), last_word]
                        .into_iter()
                        .find(|text| !text.is_empty() && fits(text));
                    if let Some(label) = label {
                        let _ = write!(
                            body,
                            r#"<text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
                            x + 3.0,
                            top + 14.0,
                            escape(label)
                        );
                    }
                    body.push_str("</g>\n");
                }
            }
            y += height;
        }
        y += RUN_GAP;
    }

    // A legend of the colours, right-aligned on the title line.
    let mut legend = String::new();
    let mut right = WIDTH - RIGHT_MARGIN;
    for (index, name) in groups.iter().enumerate().rev() {
        let text_width = name.chars().count() as f64 * CHAR_WIDTH * 1.1;
        right -= text_width;
        let _ = write!(
            legend,
            r##"<rect x="{:.1}" y="10" width="14" height="14" rx="3" fill="{}" stroke="#33415c" stroke-width="0.6"/><text x="{right:.1}" y="22" font-size="12">{}</text>"##,
            right - 18.0,
            PALETTE[index % PALETTE.len()],
            escape(name)
        );
        legend.push('\n');
        right -= 30.0;
    }

    let plot_bottom = y;
    let height = plot_bottom + AXIS_HEIGHT;
    let mut grid = String::new();
    let mut tick = 0.0;
    while tick <= axis_ms + 1e-9 {
        let x = x_of(tick);
        let _ = writeln!(
            grid,
            r##"<line x1="{x:.1}" y1="{TITLE_HEIGHT}" x2="{x:.1}" y2="{plot_bottom:.1}" stroke="#c8ced8" stroke-width="0.8"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="11">{tick} ms</text>"##,
            plot_bottom + 16.0
        );
        tick += step as f64;
    }

    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0}" viewBox="0 0 {WIDTH} {height:.0}" style="max-width: 100%; height: auto" font-family="sans-serif" font-size="13" fill="#1b1f24">
<title>{title}</title>
<rect x="0" y="0" width="{WIDTH}" height="{height:.0}" fill="#ffffff"/>
<text x="8" y="22" font-size="15" font-weight="bold">{title}</text>
{legend}{bands}{grid}{body}</svg>
"##,
        title = escape(title)
    )
}

fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// The colour of a group: the groups get the palette's colours in order of
/// appearance.
fn colour_of(groups: &mut Vec<String>, group: &str) -> &'static str {
    let index = match groups.iter().position(|known| known == group) {
        Some(index) => index,
        None => {
            groups.push(group.to_string());
            groups.len() - 1
        }
    };
    PALETTE[index % PALETTE.len()]
}

#[cfg(test)]
mod tests {
    use std::thread;
    use std::time::Duration;

    use super::*;
    use crate::{Span, Timeline};

    fn span(activity: &'static str, lane: &str, start: u64, end: u64) -> Span {
        Span {
            activity: activity.into(),
            thread: thread::current().id(),
            thread_name: Some(lane.to_string()),
            start: Duration::from_millis(start),
            end: Duration::from_millis(end),
        }
    }

    #[test]
    fn bars_ticks_and_legend_sit_where_the_times_put_them() {
        // 100 ms: ticks every 20 ms, an axis of 100 ms over the 596 px
        // from x = 130, so 5.96 px a millisecond. Lanes start below the
        // title (34) and the run's heading (24): y = 58.
        let run = Timeline::from_spans(vec![
            span("work 1", "main", 0, 50),
            span("frame 3", "main", 50, 55),
            span("tick", "main", 55, 59),
            span("work 2", "other", 0, 100),
            span("io 1", "other", 10, 20),
        ]);
        let drawing = svg("t", &[("run", &run)]);
        let pieces = [
            r#"<text x="8" y="50.0" font-weight="bold">run</text>"#,
            // One row of 24 px for `main`, two for `other` (its spans overlap).
            r##"<rect x="0" y="58.0" width="760" height="24.0" fill="#f2f4f7"/>"##,
            r##"<rect x="0" y="82.0" width="760" height="48.0" fill="#ffffff"/>"##,
            r#"<text x="16" y="74.0">main</text>"#,
            r#"<text x="16" y="110.0">other</text>"#,
            // Bars: x from the start, width from the length, colour by first word.
            r##"<title>work 1 (0.0–50.0 ms)</title><rect x="130.0" y="60.0" width="298.0" height="20" rx="3" fill="#8ecae6""##,
            r##"<rect x="428.0" y="60.0" width="29.8" height="20" rx="3" fill="#ffc857""##,
            r##"<rect x="457.8" y="60.0" width="23.8" height="20" rx="3" fill="#a7c957""##,
            r##"<rect x="130.0" y="84.0" width="596.0" height="20" rx="3" fill="#8ecae6""##,
            r##"<rect x="189.6" y="108.0" width="59.6" height="20" rx="3" fill="#f4a3a8""##,
            // The whole name where it fits, else its last word, else nothing
            // (`tick` needs 4 × 6.4 + 6 = 31.6 px, and has 23.8).
            r#"<text x="133.0" y="74.0" font-size="11">work 1</text>"#,
            r#"<text x="431.0" y="74.0" font-size="11">3</text>"#,
            r#"<text x="192.6" y="122.0" font-size="11">io 1</text>"#,
            // Ticks below the lanes (which end at 130, then a gap of 10).
            r#"<text x="130.0" y="156.0" text-anchor="middle" font-size="11">0 ms</text>"#,
            r#"<text x="249.2" y="156.0" text-anchor="middle" font-size="11">20 ms</text>"#,
            r#"<text x="726.0" y="156.0" text-anchor="middle" font-size="11">100 ms</text>"#,
            r#"height="174" viewBox="0 0 760 174""#,
            // The legend, right-aligned: the last group nearest the edge.
            r##"<rect x="693.9" y="10" width="14" height="14" rx="3" fill="#f4a3a8" stroke="#33415c" stroke-width="0.6"/><text x="711.9" y="22" font-size="12">io</text>"##,
            r##"<rect x="512.4" y="10" width="14" height="14" rx="3" fill="#8ecae6" stroke="#33415c" stroke-width="0.6"/><text x="530.4" y="22" font-size="12">work</text>"##,
        ];
        for piece in pieces {
            assert!(drawing.contains(piece), "missing {piece} in\n{drawing}");
        }
        assert_eq!(drawing.matches(" ms</text>").count(), 6, "{drawing}");
        assert!(!drawing.contains(r#"font-size="11">tick<"#), "{drawing}");
        assert!(!drawing.contains(r#"font-size="11">frame 3<"#), "{drawing}");
    }

    #[test]
    fn text_is_escaped_for_xml() {
        assert_eq!(
            escape(r#"a & b <c> "d" 'e'"#),
            "a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;"
        );
    }

    #[test]
    fn groups_take_the_palette_in_order_and_wrap_around() {
        let mut groups = Vec::new();
        let colours: Vec<&str> = (0..9)
            .map(|index| colour_of(&mut groups, &format!("group{index}")))
            .collect();
        assert_eq!(colours[..8], PALETTE);
        assert_eq!(colours[8], PALETTE[0]);
        assert_eq!(colour_of(&mut groups, "group1"), PALETTE[1]);
        assert_eq!(groups.len(), 9);
    }
}
