//! The requirement model produced by `parse`: chapters, requirements, references and the
//! normative sentences found outside requirements. Plain data; no I/O.

use crate::bcp14::Strength;
use crate::meta::ReqMeta;
use crate::source::FileId;
use serde_json::Value;
use std::collections::BTreeMap;
use std::ops::Range;

/// One parsed chapter file.
#[derive(Clone, Debug)]
pub struct Chapter {
    /// Its file.
    pub file: FileId,
    /// File stem, used for the page name (`04-reporting`).
    pub slug: String,
    /// Title from the first `#` heading (or the file stem).
    pub title: String,
    /// Front matter, verbatim.
    pub front_matter: BTreeMap<String, Value>,
    /// Requirements in source order.
    pub requirements: Vec<Requirement>,
    /// Normative sentences outside requirements.
    pub unidentified: Vec<Statement>,
    /// `[ID]` and `[org/doc]` references in prose.
    pub references: Vec<Reference>,
    /// Links to other chapter files or anchors (`other.md#x`, `#x`).
    pub internal_links: Vec<Reference>,
    /// Every anchor a link may target in this chapter (heading ids and slugs).
    pub anchors: Vec<String>,
    /// Where the Markdown body starts (after front matter).
    pub body_start: usize,
    /// Link reference definitions (`[label]: url`), in source order: appended to any part of
    /// the chapter rendered on its own, so `[text][label]` resolves wherever the definition is.
    pub definitions: Vec<Range<usize>>,
    /// Labels of its footnote definitions (`[^label]: …`), in source order. The notes are shown
    /// once, at the end of the chapter page; every part rendered on its own gets a stand-in
    /// definition of each, so that `[^label]` is a footnote reference wherever it is.
    pub footnotes: Vec<String>,
}

impl Chapter {
    /// The chapter's link reference definitions as Markdown, one per line, then a stand-in for
    /// each footnote definition (empty if none).
    ///
    /// A definition is copied only when its source text means the same on its own: when it
    /// fits on one line, or starts a line at the top level. A definition spread over several
    /// lines of a quote or list carries the container's `>` or indentation in its source, and
    /// copied elsewhere it would render as text; such a label stays unresolved instead.
    pub fn definitions_text(&self, text: &str) -> String {
        self.definitions
            .iter()
            .filter_map(|r| Some((r.start, text.get(r.clone())?.trim_end())))
            .filter(|&(start, d)| {
                let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
                !d.contains('\n') || text[line_start..start].trim().is_empty()
            })
            .map(|(_, d)| format!("{d}\n"))
            .chain(
                self.footnotes
                    .iter()
                    .map(|label| format!("\n[^{label}]: .\n")),
            )
            .collect()
    }
}

/// A requirement: a heading with an ID and the body under it.
#[derive(Clone, Debug)]
pub struct Requirement {
    /// Its ID.
    pub id: String,
    /// Span of the `{#ID}` attribute text (or the heading).
    pub id_span: Range<usize>,
    /// Span of the heading line.
    pub heading_span: Range<usize>,
    /// Heading level (1–6).
    pub level: u8,
    /// Heading text.
    pub title: String,
    /// Titles of the enclosing section headings, outermost first.
    pub section: Vec<String>,
    /// Metadata from the `req` block.
    pub meta: ReqMeta,
    /// Declared extra metadata keys.
    pub extra: BTreeMap<String, Value>,
    /// Where the `req` block's TOML text is in the file. The span of a metadata value is found
    /// from it only when a diagnostic needs one (`link`), not kept for every value.
    pub meta_text: Option<Range<usize>>,
    /// Statement as plain text.
    pub statement: String,
    /// Markdown source range of the statement.
    pub statement_span: Range<usize>,
    /// Rationale as plain text (without the `Rationale:` label).
    pub rationale: Option<String>,
    /// Where the links in its statement and rationale lead, in order: the plain text keeps
    /// only their words, so a changed target shows only here.
    pub links: Vec<String>,
    /// Markdown source range of the rationale.
    pub rationale_span: Option<Range<usize>>,
    /// From the end of the heading (and req block) to the end of the requirement.
    pub body_span: Range<usize>,
    /// BCP 14 keywords found in the statement, normalised, in order.
    pub keywords: Vec<String>,
    /// The strongest keyword's strength.
    pub strength: Strength,
}

/// A reference from prose or links to a target by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// What is referenced (`SDP-VH-01`, `apache/apache-report-code#x`, `04-x.md#y`).
    pub target: String,
    /// Where.
    pub span: Range<usize>,
}

/// A normative sentence outside any requirement (legacy drafts).
#[derive(Clone, Debug)]
pub struct Statement {
    /// Sentence text.
    pub text: String,
    /// Where.
    pub span: Range<usize>,
    /// Keywords found.
    pub keywords: Vec<String>,
    /// Strength.
    pub strength: Strength,
    /// Enclosing section titles.
    pub section: Vec<String>,
}
