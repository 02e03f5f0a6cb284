//! What the site test lets through, read from one file, `tests/site-allowed.txt`: console
//! entries the book cannot prevent and lines that cannot be shorter, each with its reason.
//!
//! An entry that matches nothing in a whole run is reported too, so the list only shrinks.

use std::path::PathBuf;

use crate::workspace_root;

/// What an entry lets through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A browser console entry (any level).
    Console,
    /// A listing (`pre`) or table wider than its column, named by its widest line.
    Wide,
}

impl Kind {
    fn parse(word: &str) -> Option<Kind> {
        match word {
            "console" => Some(Kind::Console),
            "wide" => Some(Kind::Wide),
            _ => None,
        }
    }
}

#[derive(Debug)]
struct Entry {
    kind: Kind,
    /// A page's path in the built book (`part2/ch18-….html`), or `*` for every page.
    page: String,
    /// A piece of the console message or of the widest line.
    text: String,
    line: usize,
    used: bool,
}

/// The allow-list, with a note of which entries were used.
#[derive(Debug)]
pub struct Allowed {
    entries: Vec<Entry>,
}

impl Allowed {
    /// `tests/site-allowed.txt`.
    pub fn path() -> PathBuf {
        workspace_root().join("tests").join("site-allowed.txt")
    }

    /// Reads [`Allowed::path`]; a malformed line, or one without a reason, fails the test.
    pub fn load() -> Allowed {
        let path = Self::path();
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
        Self::parse(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
    }

    /// Parses lines of the form `KIND | PAGE | TEXT | REASON`; `#` starts a comment line.
    pub fn parse(text: &str) -> Result<Allowed, String> {
        let mut entries = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line_number = index + 1;
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.splitn(4, " | ").map(str::trim).collect();
            let [kind, page, text, reason] = fields[..] else {
                return Err(format!(
                    "line {line_number}: expected `KIND | PAGE | TEXT | REASON`, found `{line}`"
                ));
            };
            let kind = Kind::parse(kind).ok_or_else(|| {
                format!("line {line_number}: the kind is `console` or `wide`, not `{kind}`")
            })?;
            if page.is_empty() || text.is_empty() || reason.is_empty() {
                return Err(format!(
                    "line {line_number}: the page, the text and the reason must all be given"
                ));
            }
            entries.push(Entry {
                kind,
                page: page.to_string(),
                text: text.to_string(),
                line: line_number,
                used: false,
            });
        }
        Ok(Allowed { entries })
    }

    /// Whether an entry lets `text` through on `page`; the entry is then counted as used.
    pub fn permits(&mut self, kind: Kind, page: &str, text: &str) -> bool {
        let found = self.entries.iter_mut().find(|entry| {
            entry.kind == kind
                && (entry.page == "*" || entry.page == page)
                && text.contains(&entry.text)
        });
        match found {
            Some(entry) => {
                entry.used = true;
                true
            }
            None => false,
        }
    }

    /// Entries nothing matched: stale, so the test asks for their removal.
    pub fn unused(&self) -> Vec<String> {
        self.entries
            .iter()
            .filter(|entry| !entry.used)
            .map(|entry| {
                format!(
                    "line {}: {:?} on {} containing `{}`",
                    entry.line, entry.kind, entry.page, entry.text
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_permits_matching_text_on_its_page_only() {
        let mut allowed = Allowed::parse(
            "# comment\n\nwide | a.html | https://example | a URL cannot wrap\n\
             console | * | favicon | the browser asks on its own\n",
        )
        .expect("a valid list");
        assert!(allowed.permits(Kind::Wide, "a.html", "see https://example/long"));
        assert!(!allowed.permits(Kind::Wide, "b.html", "see https://example/long"));
        assert!(!allowed.permits(Kind::Console, "a.html", "see https://example/long"));
        assert!(allowed.unused()[0].contains("favicon"));
        assert!(allowed.permits(Kind::Console, "b.html", "GET /favicon.ico 404"));
        assert!(allowed.unused().is_empty());
    }

    #[test]
    fn an_entry_without_a_reason_is_refused() {
        let error = Allowed::parse("wide | a.html | text |  \n").unwrap_err();
        assert!(error.contains("line 1"), "{error}");
        let error = Allowed::parse("tall | a.html | text | why\n").unwrap_err();
        assert!(error.contains("`tall`"), "{error}");
    }
}
