//! The terminal rendering of a diff: one block per change, word-level changes marked
//! `[-deleted-]{+inserted+}` (or, when `styled`, struck through in red and underlined in green).

use super::{
    Change, ChangeKind, DiffReport, MetaField, MetadataChange, Segment, SegmentOp, SideInfo,
    StatementChange, StrengthChange, StrengthDelta, TextField,
};
use anstyle::{AnsiColor, Effects, Style};
use std::fmt::Write;

struct Paint {
    styled: bool,
}

impl Paint {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.styled && !text.is_empty() {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }
    fn kind(&self, kind: ChangeKind) -> String {
        let color = match kind {
            ChangeKind::Added => AnsiColor::Green,
            ChangeKind::Removed => AnsiColor::Red,
            ChangeKind::Withdrawn => AnsiColor::Yellow,
            ChangeKind::Renamed => AnsiColor::Cyan,
            ChangeKind::Modified => AnsiColor::Blue,
            ChangeKind::Moved => AnsiColor::Magenta,
        };
        self.paint(
            Style::new().fg_color(Some(color.into())).bold(),
            &format!("{:<9}", kind.as_str()),
        )
    }
    fn bold(&self, text: &str) -> String {
        self.paint(Style::new().bold(), text)
    }
    fn dim(&self, text: &str) -> String {
        self.paint(Style::new().dimmed(), text)
    }
    fn del(&self, text: &str) -> String {
        if self.styled {
            self.paint(
                Style::new()
                    .fg_color(Some(AnsiColor::Red.into()))
                    .effects(Effects::STRIKETHROUGH),
                text,
            )
        } else {
            format!("[-{text}-]")
        }
    }
    fn ins(&self, text: &str) -> String {
        if self.styled {
            self.paint(
                Style::new()
                    .fg_color(Some(AnsiColor::Green.into()))
                    .effects(Effects::UNDERLINE),
                text,
            )
        } else {
            format!("{{+{text}+}}")
        }
    }
    fn segments(&self, segments: &[Segment]) -> String {
        segments
            .iter()
            .map(|s| match s.op {
                SegmentOp::Equal => s.text.clone(),
                SegmentOp::Delete => self.del(&s.text),
                SegmentOp::Insert => self.ins(&s.text),
            })
            .collect()
    }
}

/// Keywords of one side, or the strength name when there are none.
pub(crate) fn keywords_of(keywords: &[String], strength: crate::bcp14::Strength) -> String {
    if keywords.is_empty() {
        format!("no keyword ({})", strength.as_str())
    } else {
        keywords.join(", ")
    }
}

/// `strengthened: SHOULD → MUST`, or `keywords: RECOMMENDED → SHOULD` when the strength is the same.
pub(crate) fn strength_label(change: StrengthChange, delta: &StrengthDelta) -> String {
    let name = match change {
        StrengthChange::None => "keywords",
        other => other.as_str(),
    };
    format!(
        "{name}: {} → {}",
        keywords_of(&delta.old_keywords, delta.old),
        keywords_of(&delta.new_keywords, delta.new)
    )
}

/// `status` → `Status`: a field name as a heading.
pub(crate) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Where a change sits, as the HTML and Markdown reports show it.
pub(crate) enum Location {
    /// Moved between chapters or sections: from → to.
    Moved(String, String),
    /// Where it is (or was, when it is gone).
    At(String),
}

/// Which statement the HTML and Markdown reports show under a change's heading.
pub(crate) enum Shown<'a> {
    /// A new requirement's statement.
    Inserted(&'a str),
    /// A vanished requirement's statement.
    Deleted(&'a str),
    /// The statement, unchanged (its text changes are shown below otherwise).
    Unchanged(&'a str),
}

impl Change {
    /// The one-line facts under the heading: the other kinds, the strength change, editorial,
    /// and the rename. `id` formats an ID and `text` a label for the output format.
    pub(crate) fn facts(
        &self,
        id: &dyn Fn(&str) -> String,
        text: &dyn Fn(&str) -> String,
    ) -> Vec<String> {
        let mut facts: Vec<String> = self
            .kinds
            .iter()
            .skip(1)
            .map(|k| format!("also {}", k.as_str()))
            .collect();
        if let Some(delta) = &self.strength {
            facts.push(text(&strength_label(self.strength_change, delta)));
        }
        if self.editorial {
            facts.push("editorial only".into());
        }
        if let (Some(old_id), Some(r)) = (&self.old_id, &self.rename) {
            facts.push(format!(
                "was {} ({}, {:.0}% similar)",
                id(old_id),
                if r.declared { "declared" } else { "detected" },
                r.similarity * 100.0
            ));
        }
        facts
    }

    /// Where it sits; `None` when neither side has a place.
    pub(crate) fn location(&self) -> Option<Location> {
        match (&self.old, &self.new) {
            (Some(o), Some(n)) if self.is(ChangeKind::Moved) => Some(Location::Moved(
                place(&o.chapter, &o.section),
                place(&n.chapter, &n.section),
            )),
            (_, Some(s)) | (Some(s), None) => Some(Location::At(place(&s.chapter, &s.section))),
            (None, None) => None,
        }
    }

    /// The statement to show under the heading, if any.
    pub(crate) fn shown_statement(&self) -> Option<Shown<'_>> {
        match (&self.old, &self.new) {
            (None, Some(n)) => Some(Shown::Inserted(&n.statement)),
            (Some(o), None) => Some(Shown::Deleted(&o.statement)),
            (Some(_), Some(n)) if !self.text.iter().any(|t| t.field == TextField::Statement) => {
                Some(Shown::Unchanged(&n.statement))
            }
            _ => None,
        }
    }
}

/// `chapter › section › subsection`.
pub(crate) fn place(chapter: &str, section: &[String]) -> String {
    std::iter::once(chapter)
        .chain(section.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" › ")
}

/// One metadata change as `+a -b` or `old → new`.
pub(crate) fn metadata_line(m: &MetadataChange) -> String {
    if matches!(m.field, MetaField::Status | MetaField::Since) {
        let one = |v: &[String]| {
            if v.is_empty() {
                "(none)".to_string()
            } else {
                v.join(", ")
            }
        };
        return format!("{} → {}", one(&m.old), one(&m.new));
    }
    let mut parts: Vec<String> = m.added.iter().map(|v| format!("+{v}")).collect();
    parts.extend(m.removed.iter().map(|v| format!("-{v}")));
    if parts.is_empty() {
        parts.push("reordered".into());
    }
    parts.join(" ")
}

fn side_line(name: &str, side: &SideInfo) -> String {
    let mut s = format!("{name}: {}", side.describe());
    if !side.title.is_empty() {
        s.push_str(&format!(" — {}", side.title));
    }
    s
}

/// Renders `report` for a terminal.
pub fn render(report: &DiffReport, styled: bool) -> String {
    let report = &super::visible_report(report);
    let p = Paint { styled };
    let mut out = String::new();
    let _ = writeln!(out, "{}", p.bold("specbook diff"));
    let _ = writeln!(out, "  {}", side_line("old", &report.old));
    let _ = writeln!(out, "  {}", side_line("new", &report.new));
    if !report.lens.is_empty() {
        let _ = writeln!(out, "  lens: {}", lens_line(report));
    }
    let _ = writeln!(out, "\n{}", report.summary.sentence());
    // Each change is written on its own, in parallel, then joined in order.
    let changes: Vec<String> = {
        use rayon::prelude::*;
        report
            .changes
            .par_iter()
            .map(|c| {
                let mut one = String::from("\n");
                change(&p, &mut one, c);
                one
            })
            .collect()
    };
    out.extend(changes);
    if !report.statements.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            p.bold(&format!(
                "Normative statements outside requirements ({})",
                report.statements.len()
            ))
        );
        for s in &report.statements {
            out.push('\n');
            statement(&p, &mut out, s);
        }
    }
    if !report.problems.is_empty() {
        out.push('\n');
        for problem in &report.problems {
            let _ = writeln!(
                out,
                "{}: {}",
                p.paint(
                    Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
                    "error"
                ),
                problem.message
            );
            let _ = writeln!(out, "  help: {}", problem.help);
        }
    }
    out
}

pub(crate) fn lens_line(report: &DiffReport) -> String {
    let l = &report.lens;
    let mut parts = Vec::new();
    if !l.foundation.is_empty() {
        parts.push(format!("foundation {}", l.foundation.join(" or ")));
    }
    if !l.cra.is_empty() {
        parts.push(format!("framework item {}", l.cra.join(" or ")));
    }
    if !l.chapter.is_empty() {
        parts.push(format!("chapter {}", l.chapter.join(" or ")));
    }
    if !l.strength.is_empty() {
        let names: Vec<String> = l
            .strength
            .iter()
            .map(|s| {
                serde_json::to_value(s)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            })
            .collect();
        parts.push(format!("strength {}", names.join(" or ")));
    }
    parts.join("; ")
}

fn change(p: &Paint, out: &mut String, c: &Change) {
    let mut head = format!("{} {}  {}", p.kind(c.kind), p.bold(&c.id), c.title());
    let mut tags = Vec::new();
    for k in c.kinds.iter().skip(1) {
        tags.push(format!("also {}", k.as_str()));
    }
    if let Some(delta) = &c.strength {
        tags.push(strength_label(c.strength_change, delta));
    }
    if c.editorial {
        tags.push("editorial".into());
    }
    if !tags.is_empty() {
        head.push_str(&format!("  [{}]", tags.join("; ")));
    }
    let _ = writeln!(out, "{head}");
    if let (Some(old_id), Some(r)) = (&c.old_id, &c.rename) {
        let how = if r.declared { "declared" } else { "detected" };
        let _ = writeln!(
            out,
            "    renamed from {old_id} ({how}, {:.0}% similar)",
            r.similarity * 100.0
        );
    }
    match (&c.old, &c.new) {
        (Some(o), Some(n)) => {
            let (from, to) = (place(&o.chapter, &o.section), place(&n.chapter, &n.section));
            if c.is(ChangeKind::Moved) {
                let _ = writeln!(out, "    moved: {from} → {to}");
            } else {
                let _ = writeln!(out, "    {}", p.dim(&to));
            }
        }
        (Some(s), None) | (None, Some(s)) => {
            let _ = writeln!(out, "    {}", p.dim(&place(&s.chapter, &s.section)));
            let text = if c.kind == ChangeKind::Removed {
                p.del(&s.statement)
            } else {
                s.statement.clone()
            };
            let _ = writeln!(out, "    {text}");
        }
        (None, None) => {}
    }
    for t in &c.text {
        let note = if t.editorial { " (editorial)" } else { "" };
        let _ = writeln!(
            out,
            "    {}{note}: {}",
            t.field.as_str(),
            p.segments(&t.segments)
        );
    }
    for m in &c.metadata {
        let _ = writeln!(out, "    {}: {}", m.field.as_str(), metadata_line(m));
    }
}

fn statement(p: &Paint, out: &mut String, s: &StatementChange) {
    let Some(shown) = s.shown() else { return };
    let mut head = format!(
        "{} {}",
        p.kind(s.kind),
        place(&shown.chapter, &shown.section)
    );
    let mut tags = Vec::new();
    if let (Some(o), true) = (&s.old, s.kinds.contains(&ChangeKind::Moved)) {
        tags.push(format!("from {}", place(&o.chapter, &o.section)));
    }
    if let Some(delta) = &s.strength {
        tags.push(strength_label(s.strength_change, delta));
    }
    if s.editorial {
        tags.push("editorial".into());
    }
    if !tags.is_empty() {
        head.push_str(&format!("  [{}]", tags.join("; ")));
    }
    let _ = writeln!(out, "{head}");
    let text = if !s.segments.is_empty() {
        p.segments(&s.segments)
    } else if s.kind == ChangeKind::Removed {
        p.del(&shown.text)
    } else if s.kind == ChangeKind::Added {
        p.ins(&shown.text)
    } else {
        shown.text.clone()
    };
    let _ = writeln!(out, "    {text}");
}
