//! What [`PAGE_PROBE`] measures on a page: listings and tables that scroll sideways, text that
//! reaches past the window, each code block's language as the highlighter sees it, and
//! Markdown table rows printed as text.

use serde_json::Value;

/// The script the browser runs on a page to measure its layout and code blocks (see the file).
pub const PAGE_PROBE: &str = include_str!("page_probe.js");

/// A listing or table wider than its column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WideElement {
    /// `pre` or `table`.
    pub tag: String,
    /// Its widest line (a table: its widest row).
    pub text: String,
    pub scroll_width: u64,
    pub client_width: u64,
}

/// An element of the page's text that reaches past the right edge of the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutsideElement {
    pub tag: String,
    pub text: String,
    pub right: u64,
}

/// A code block as the highlighter sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    /// From the block's `language-…` class, as mdBook writes the fence's info string.
    pub language: String,
    /// Whether the page's highlight.js has a grammar for it.
    pub known: bool,
    /// Highlighted tokens (`hljs-…` spans) in the block.
    pub tokens: u64,
    /// The block's first line, to find it.
    pub first_line: String,
}

/// What [`PAGE_PROBE`] reports about one page.
#[derive(Debug, Default)]
pub struct PageReport {
    /// The window's width in CSS pixels, as the page laid itself out.
    pub viewport: u64,
    pub wide: Vec<WideElement>,
    pub outside: Vec<OutsideElement>,
    pub blocks: Vec<CodeBlock>,
    /// Paragraphs that read as Markdown table rows: a table cut short by a blank line.
    pub stray_rows: Vec<String>,
}

impl PageReport {
    pub fn from_json(value: &Value) -> Result<PageReport, String> {
        let list = |key: &str| {
            value
                .get(key)
                .and_then(Value::as_array)
                .ok_or_else(|| format!("the page probe's report lacks `{key}`: {value}"))
        };
        let text = |item: &Value, key: &str| {
            item.get(key)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| format!("`{key}` missing in {item}"))
        };
        let number = |item: &Value, key: &str| {
            item.get(key)
                .and_then(Value::as_f64)
                .map(|n| n.max(0.0).round() as u64)
                .ok_or_else(|| format!("`{key}` missing in {item}"))
        };
        let mut report = PageReport {
            viewport: number(value, "viewport")?,
            ..PageReport::default()
        };
        for item in list("wide")? {
            report.wide.push(WideElement {
                tag: text(item, "tag")?,
                text: text(item, "text")?,
                scroll_width: number(item, "scrollWidth")?,
                client_width: number(item, "clientWidth")?,
            });
        }
        for item in list("outside")? {
            report.outside.push(OutsideElement {
                tag: text(item, "tag")?,
                text: text(item, "text")?,
                right: number(item, "right")?,
            });
        }
        for item in list("blocks")? {
            report.blocks.push(CodeBlock {
                language: text(item, "language")?,
                known: item.get("known").and_then(Value::as_bool).unwrap_or(false),
                tokens: number(item, "tokens")?,
                first_line: text(item, "text")?,
            });
        }
        for item in list("strayRows")? {
            report.stray_rows.push(
                item.as_str()
                    .ok_or_else(|| format!("a stray row that is not text: {item}"))?
                    .to_string(),
            );
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_probe_report() {
        let report = PageReport::from_json(&json!({
            "viewport": 1280,
            "wide": [{ "tag": "pre", "text": "let x", "scrollWidth": 900, "clientWidth": 720 }],
            "outside": [],
            "blocks": [{ "language": "wgsl", "known": true, "tokens": 12, "text": "fn f()" }],
            "strayRows": ["| a | b |"],
        }))
        .expect("a valid report");
        assert_eq!(report.viewport, 1280);
        assert_eq!(report.wide[0].scroll_width, 900);
        assert!(report.blocks[0].known);
        assert_eq!(report.stray_rows, ["| a | b |"]);
        assert!(PageReport::from_json(&json!({ "viewport": 1 })).is_err());
    }
}
