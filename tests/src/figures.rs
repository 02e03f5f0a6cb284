//! Figures with units — durations, ratios, percentages, rates — in a chapter's prose
//! and in the outputs it shows, so that a test can hold the prose to the outputs.

use std::sync::LazyLock;

use regex::Regex;

use crate::chapters::code_blocks;

/// A number with the unit written after it, as the text has it (`1.97×`, `9.8 ms`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Figure {
    /// The digits as written, without thousands separators.
    pub number: String,
    pub unit: String,
}

impl Figure {
    /// Whether `measured`, rounded to as many decimals as this figure shows, is this
    /// figure: prose that says `1.8×` quotes a run that printed `1.82×`.
    pub fn quotes(&self, measured: &Figure) -> bool {
        if self.unit != measured.unit {
            return false;
        }
        let decimals = self.number.split_once('.').map_or(0, |(_, d)| d.len());
        let (Ok(quoted), Ok(value)) = (self.number.parse::<f64>(), measured.number.parse::<f64>())
        else {
            return false;
        };
        format!("{value:.decimals$}") == format!("{quoted:.decimals$}")
    }
}

impl std::fmt::Display for Figure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let space = if matches!(self.unit.as_str(), "×" | "%") {
            ""
        } else {
            " "
        };
        write!(f, "{}{space}{}", self.number, self.unit)
    }
}

/// Every figure in `text`. Units: durations (ns, µs, ms, s), ratios (×), percentages,
/// and rates (GB/s, GiB/s, MB/s, GFLOP/s, req/s, Mpixel/s).
pub fn figures(text: &str) -> Vec<Figure> {
    static FIGURE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?:^|[^\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)? ?(ns|µs|ms|s|×|%|GB/s|GiB/s|MB/s|GFLOP/s|req/s|Mpixel/s)(?:$|[^\w/])",
        )
        .expect("valid figure pattern")
    });
    let mut found = Vec::new();
    // Overlapping matches (`2×, 3×`) share the separator, so scan from each match's
    // unit onward rather than from its end.
    let mut at = 0;
    while let Some(hit) = FIGURE.captures_at(text, at) {
        let unit = hit.get(3).expect("the unit group");
        at = unit.end();
        // `720 × 480` and `16 × 16` are sizes, `1.2 × 10⁻⁷` a power: not ratios.
        // (A table's next column is further away than one space.)
        let after = text[unit.end()..]
            .strip_prefix(' ')
            .unwrap_or(&text[unit.end()..]);
        if unit.as_str() == "×" && after.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let mut number = hit[1].replace(',', "");
        if let Some(decimals) = hit.get(2) {
            number.push_str(decimals.as_str());
        }
        found.push(Figure {
            number,
            unit: unit.as_str().to_string(),
        });
    }
    found
}

/// A chapter's prose: its Markdown without fenced code blocks (listings, outputs,
/// diagrams), include directives, and `<style>` or `<script>` elements.
pub fn prose(markdown: &str) -> String {
    let mut text = String::new();
    let mut from = 0;
    for block in code_blocks(markdown) {
        text.push_str(&markdown[from..block.range.start]);
        from = block.range.end;
    }
    text.push_str(&markdown[from..]);
    // Include directives, and the styles and scripts of a page's live demos.
    static NOT_PROSE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?s)\{\{#[^}]*\}\}|<style>.*?</style>|<script>.*?</script>")
            .expect("valid pattern")
    });
    NOT_PROSE.replace_all(&text, "").into_owned()
}

#[cfg(test)]
mod tests {
    use super::{Figure, figures, prose};

    fn figure(number: &str, unit: &str) -> Figure {
        Figure {
            number: number.to_string(),
            unit: unit.to_string(),
        }
    }

    #[test]
    fn finds_figures_with_their_units() {
        let text = "ran 1.97× (from 263 ms to 133 ms), 85% of 38 GB/s, 21,800 s; \
                    2×, 3× and x86_64, 4 cores, v1.2 s3, 720 × 480, 16×16, 1.00×   1";
        assert_eq!(
            figures(text),
            [
                figure("1.97", "×"),
                figure("263", "ms"),
                figure("133", "ms"),
                figure("85", "%"),
                figure("38", "GB/s"),
                figure("21800", "s"),
                figure("2", "×"),
                figure("3", "×"),
                figure("1.00", "×"),
            ]
        );
    }

    #[test]
    fn prose_quotes_a_run_to_its_own_precision() {
        assert!(figure("1.8", "×").quotes(&figure("1.82", "×")));
        assert!(figure("2", "×").quotes(&figure("1.97", "×")));
        assert!(!figure("1.9", "×").quotes(&figure("1.82", "×")));
        assert!(!figure("1.8", "ms").quotes(&figure("1.82", "×")));
        assert!(figure("9.8", "ms").quotes(&figure("9.8", "ms")));
    }

    #[test]
    fn prose_leaves_out_code_and_includes() {
        let markdown =
            "Two threads ran 1.9× faster.\n\n```text\n1.97×\n```\n\n{{#include a.txt}}\n";
        assert_eq!(figures(&prose(markdown)), [figure("1.9", "×")]);
    }
}
