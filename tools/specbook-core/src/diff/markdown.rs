//! The Markdown rendering of a diff, for a pull-request comment: a summary, the problems as a
//! caution block, and one short section per change with `<del>`/`<ins>` word highlights. All
//! spec text is escaped so it cannot form links, HTML or Markdown structure.

use super::text::{
    Location, Shown, capitalise, keywords_of, lens_line, metadata_line, place, strength_label,
};
use super::{Change, ChangeKind, DiffReport, Segment, SegmentOp, StatementChange};
use std::fmt::Write;

/// Escapes text for inline Markdown (GitHub flavour): HTML-significant characters become
/// entities, inline Markdown punctuation (emphasis, code, links, tables, strike-through, maths) is
/// backslash-escaped, and line breaks become spaces. The text never starts a line, so block
/// markers (`-`, `1.`) need no escape.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A message whose `backticked` parts become code spans and the rest escaped text.
fn message(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { code(part) } else { escape(part) })
        .collect()
}

/// An inline code span when the text allows one, else escaped text.
fn code(text: &str) -> String {
    if text.is_empty() || text.contains(['`', '\n', '\r']) || text.chars().any(char::is_control) {
        escape(text)
    } else {
        format!("`{text}`")
    }
}

fn segments(segs: &[Segment]) -> String {
    segs.iter()
        .map(|s| match s.op {
            SegmentOp::Equal => escape(&s.text),
            SegmentOp::Delete => format!("<del>{}</del>", escape(&s.text)),
            SegmentOp::Insert => format!("<ins>{}</ins>", escape(&s.text)),
        })
        .collect()
}

/// Renders `report` as Markdown.
pub fn render(report: &DiffReport) -> String {
    let report = &super::visible_report(report);
    let mut out = String::new();
    let title = if report.new.title.is_empty() {
        "Requirement changes".to_string()
    } else {
        format!("Requirement changes: {}", escape(&report.new.title))
    };
    let _ = writeln!(out, "## {title}\n");
    let _ = writeln!(
        out,
        "**Old:** {} · **New:** {}\n",
        escape(&report.old.describe()),
        escape(&report.new.describe())
    );
    if !report.lens.is_empty() {
        let _ = writeln!(out, "**Lens:** {}\n", escape(&lens_line(report)));
    }
    if !report.problems.is_empty() {
        let _ = writeln!(out, "> [!CAUTION]");
        for p in &report.problems {
            let _ = writeln!(out, "> - {} — {}", message(&p.message), message(&p.help));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}\n", escape(&report.summary.sentence()));
    for kind in ChangeKind::ALL {
        let list: Vec<&Change> = report.changes.iter().filter(|c| c.kind == kind).collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {} ({})\n", heading(kind), list.len());
        for c in list {
            change(&mut out, c);
        }
    }
    if !report.statements.is_empty() {
        let _ = writeln!(
            out,
            "### Normative statements outside requirements ({})\n",
            report.statements.len()
        );
        for s in &report.statements {
            statement(&mut out, s);
        }
    }
    out
}

fn heading(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Added => "Added",
        ChangeKind::Removed => "Removed without tombstone",
        ChangeKind::Withdrawn => "Withdrawn",
        ChangeKind::Renamed => "Renamed",
        ChangeKind::Modified => "Modified",
        ChangeKind::Moved => "Moved",
    }
}

fn change(out: &mut String, c: &Change) {
    let _ = writeln!(out, "#### {} {}\n", code(&c.id), escape(c.title()));
    let facts = c.facts(&|id| code(id), &|text| escape(text));
    if !facts.is_empty() {
        let _ = writeln!(out, "*{}*\n", facts.join(" · "));
    }
    match c.location() {
        Some(Location::Moved(from, to)) => {
            let _ = writeln!(out, "**Moved:** {} → {}\n", escape(&from), escape(&to));
        }
        Some(Location::At(at)) => {
            let _ = writeln!(out, "**Where:** {}\n", escape(&at));
        }
        None => {}
    }
    match c.shown_statement() {
        Some(Shown::Inserted(s) | Shown::Unchanged(s)) => {
            let _ = writeln!(out, "> {}\n", escape(s));
        }
        Some(Shown::Deleted(s)) => {
            let _ = writeln!(out, "> <del>{}</del>\n", escape(s));
        }
        None => {}
    }
    for t in &c.text {
        let note = if t.editorial { " (editorial)" } else { "" };
        let _ = writeln!(
            out,
            "**{}{note}:** {}\n",
            capitalise(t.field.as_str()),
            segments(&t.segments)
        );
    }
    if !c.metadata.is_empty() {
        for m in &c.metadata {
            let _ = writeln!(
                out,
                "- **{}:** {}",
                m.field.as_str(),
                escape(&metadata_line(m))
            );
        }
        out.push('\n');
    }
}

fn statement(out: &mut String, s: &StatementChange) {
    let Some(shown) = s.shown() else { return };
    let mut facts = vec![
        s.kinds
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    ];
    if let Some(delta) = &s.strength {
        facts.push(escape(&strength_label(s.strength_change, delta)));
    } else if s.kind == ChangeKind::Added || s.kind == ChangeKind::Removed {
        facts.push(escape(&keywords_of(&shown.keywords, shown.strength)));
    }
    if s.editorial {
        facts.push("editorial only".into());
    }
    let mut where_ = escape(&place(&shown.chapter, &shown.section));
    if let (Some(o), true) = (&s.old, s.kinds.contains(&ChangeKind::Moved)) {
        where_ = format!("{} → {where_}", escape(&place(&o.chapter, &o.section)));
    }
    let text = if !s.segments.is_empty() {
        segments(&s.segments)
    } else if s.kind == ChangeKind::Removed {
        format!("<del>{}</del>", escape(&shown.text))
    } else if s.kind == ChangeKind::Added {
        format!("<ins>{}</ins>", escape(&shown.text))
    } else {
        escape(&shown.text)
    };
    let _ = writeln!(out, "- {where_} — *{}*  \n  {text}", facts.join(" · "));
}
