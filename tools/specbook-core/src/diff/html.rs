//! The HTML rendering of a diff: a standalone page (inline CSS, no script) with an inline view
//! (`<del>`/`<ins>` within the text) and a side-by-side view, switched by two radio buttons.
//! Every piece of spec text and every attribute value is escaped.

use super::text::{
    Location, Shown, capitalise, keywords_of, lens_line, metadata_line, place, strength_label,
};
use super::{
    Change, ChangeKind, DiffReport, MetaField, MetadataChange, Segment, SegmentOp, SideInfo,
    Snapshot, StatementChange,
};
pub use crate::html::escape;
use std::fmt::Write;

/// Where the requirement pages of each side live, relative to the page (e.g. `""` for a
/// release's own pages and `"../0.1.0/"` for the previous release). `None`: no links.
#[derive(Clone, Debug, Default)]
pub struct Links {
    /// Prefix for `permalink` of the old side.
    pub old: Option<String>,
    /// Prefix for `permalink` of the new side.
    pub new: Option<String>,
}

const STYLE: &str = r#"
:root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--muted:#59636e;--line:#d1d9e0;--del:#ffebe9;--delfg:#82071e;--ins:#dafbe1;--insfg:#116329;--card:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--line:#3d444d;--del:#4b1113;--delfg:#ffa198;--ins:#12361f;--insfg:#7ee787;--card:#151b23}}
body{margin:0;font:16px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
header,main{max-width:72rem;margin:0 auto;padding:0 1rem}
h1{font-size:1.6rem;margin:1rem 0 .25rem}h2{font-size:1.15rem;margin:0 0 .25rem}h3{font-size:1rem;margin:.75rem 0 .25rem}
.sides,.where,.facts{color:var(--muted);margin:.1rem 0}
.views{margin:.75rem 0}.views label{border:1px solid var(--line);padding:.2rem .7rem;cursor:pointer;border-radius:.3rem}
.view-radio{position:absolute;opacity:0}
#view-inline:checked~header label[for=view-inline],#view-side:checked~header label[for=view-side]{background:var(--card);font-weight:600}
#view-inline:focus-visible~header label[for=view-inline],#view-side:focus-visible~header label[for=view-side]{outline:2px solid}
#view-inline:checked~main .side{display:none}#view-side:checked~main .inline{display:none}
.problems{border-left:4px solid var(--delfg);background:var(--del);padding:.5rem 1rem;margin:1rem 0}
article{border:1px solid var(--line);border-radius:.4rem;padding:.75rem 1rem;margin:1rem 0;background:var(--bg)}
.kind{display:inline-block;min-width:6rem;font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.k-added .kind{color:var(--insfg)}.k-removed .kind{color:var(--delfg)}
del{background:var(--del);color:var(--delfg)}del+ins{margin-left:.2em}ins{background:var(--ins);color:var(--insfg);text-decoration:none}
table.side{width:100%;border-collapse:collapse;table-layout:fixed}table.side td,table.side th{vertical-align:top;border:1px solid var(--line);padding:.3rem .5rem;text-align:left}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.5rem 0}dl.meta dt{color:var(--muted)}dl.meta dd{margin:0}
code{font-size:.95em}
@media print{.views{display:none}.side{display:table!important}.inline{display:none!important}}
"#;

/// Renders `report` as a standalone page.
pub fn render(report: &DiffReport, links: &Links) -> String {
    let report = &super::visible_report(report);
    let mut out = String::new();
    let title = format!(
        "Changes {} → {}",
        version_or_label(&report.old),
        version_or_label(&report.new)
    );
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&title)
    );
    out.push_str(
        "<input type=\"radio\" class=\"view-radio\" name=\"view\" id=\"view-inline\" checked>\n\
         <input type=\"radio\" class=\"view-radio\" name=\"view\" id=\"view-side\">\n",
    );
    let _ = writeln!(out, "<header>\n<h1>{}</h1>", escape(&title));
    if !report.new.title.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", escape(&report.new.title));
    }
    let _ = writeln!(
        out,
        "<p class=\"sides\">Old: {} · New: {}</p>",
        escape(&report.old.describe()),
        escape(&report.new.describe())
    );
    if !report.lens.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"sides\">Lens: {}</p>",
            escape(&lens_line(report))
        );
    }
    out.push_str(
        "<p class=\"views\"><label for=\"view-inline\">Inline</label> \
         <label for=\"view-side\">Side by side</label></p>\n</header>\n<main>\n",
    );
    if !report.problems.is_empty() {
        out.push_str("<section class=\"problems\" role=\"alert\">\n<h2>Problems</h2>\n<ul>\n");
        for p in &report.problems {
            let _ = writeln!(
                out,
                "<li>{} <br><small>{}</small></li>",
                message(&p.message),
                message(&p.help)
            );
        }
        out.push_str("</ul>\n</section>\n");
    }
    let _ = writeln!(
        out,
        "<p class=\"summary\">{}</p>",
        escape(&report.summary.sentence())
    );
    // A change's anchor is `change-<ID>`; when an ID has more than one change (a requirement
    // that kept its ID and absorbed another by `replaces`), the others name their old ID too.
    let mut anchors = std::collections::BTreeSet::new();
    for c in &report.changes {
        let mut anchor = format!("change-{}", c.id);
        if !anchors.insert(anchor.clone()) {
            anchor = format!("change-{}-from-{}", c.id, c.old_id.as_deref().unwrap_or(""));
            anchors.insert(anchor.clone());
        }
        change(&mut out, c, &anchor, links);
    }
    if !report.statements.is_empty() {
        let _ = writeln!(
            out,
            "<h2 id=\"statements\">Normative statements outside requirements ({})</h2>",
            report.statements.len()
        );
        for s in &report.statements {
            statement(&mut out, s);
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// A message whose `backticked` parts become `<code>`, all of it escaped.
fn message(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", escape(part))
            } else {
                escape(part)
            }
        })
        .collect()
}

fn version_or_label(side: &SideInfo) -> String {
    if side.version.is_empty() {
        side.label.clone()
    } else {
        side.version.clone()
    }
}

fn inline(segs: &[Segment]) -> String {
    segs.iter()
        .map(|s| match s.op {
            SegmentOp::Equal => escape(&s.text),
            SegmentOp::Delete => format!("<del>{}</del>", escape(&s.text)),
            SegmentOp::Insert => format!("<ins>{}</ins>", escape(&s.text)),
        })
        .collect()
}

fn one_side(segs: &[Segment], keep: SegmentOp) -> String {
    segs.iter()
        .filter(|s| s.op == SegmentOp::Equal || s.op == keep)
        .map(|s| match s.op {
            SegmentOp::Equal => escape(&s.text),
            SegmentOp::Delete => format!("<del>{}</del>", escape(&s.text)),
            SegmentOp::Insert => format!("<ins>{}</ins>", escape(&s.text)),
        })
        .collect()
}

fn both_views(out: &mut String, segs: &[Segment]) {
    let _ = writeln!(
        out,
        "<p class=\"inline\">{}</p>\n<table class=\"side\"><tr><th scope=\"col\">Old</th><th scope=\"col\">New</th></tr>\n<tr><td>{}</td><td>{}</td></tr></table>",
        inline(segs),
        one_side(segs, SegmentOp::Delete),
        one_side(segs, SegmentOp::Insert)
    );
}

/// A permalink safe to put in an `href`: a relative path of plain characters, never `..`.
fn safe_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains("..")
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | '#'))
}

fn id_link(id: &str, snap: Option<&Snapshot>, prefix: Option<&String>) -> String {
    match (snap, prefix) {
        (Some(s), Some(p)) if safe_path(&s.permalink) => format!(
            "<a href=\"{}\"><code>{}</code></a>",
            escape(&format!("{p}{}", s.permalink)),
            escape(id)
        ),
        _ => format!("<code>{}</code>", escape(id)),
    }
}

fn change(out: &mut String, c: &Change, anchor: &str, links: &Links) {
    let (link_snap, prefix) = match &c.new {
        Some(n) => (Some(n), links.new.as_ref()),
        None => (c.old.as_ref(), links.old.as_ref()),
    };
    let _ = writeln!(
        out,
        "<article class=\"change k-{}\" id=\"{}\">\n<h2><span class=\"kind\">{}</span> {} {}</h2>",
        c.kind.as_str(),
        escape(anchor),
        c.kind.as_str(),
        id_link(&c.id, link_snap, prefix),
        escape(c.title())
    );
    let facts = c.facts(&|id| id.to_string(), &|text| text.to_string());
    if !facts.is_empty() {
        let _ = writeln!(out, "<p class=\"facts\">{}</p>", escape(&facts.join(" · ")));
    }
    match c.location() {
        Some(Location::Moved(from, to)) => {
            let _ = writeln!(
                out,
                "<p class=\"where\">Moved: {} → {}</p>",
                escape(&from),
                escape(&to)
            );
        }
        Some(Location::At(at)) => {
            let _ = writeln!(out, "<p class=\"where\">{}</p>", escape(&at));
        }
        None => {}
    }
    match c.shown_statement() {
        Some(Shown::Inserted(s)) => {
            let _ = writeln!(out, "<p><ins>{}</ins></p>", escape(s));
        }
        Some(Shown::Deleted(s)) => {
            let _ = writeln!(out, "<p><del>{}</del></p>", escape(s));
        }
        Some(Shown::Unchanged(s)) => {
            let _ = writeln!(out, "<p>{}</p>", escape(s));
        }
        None => {}
    }
    for t in &c.text {
        let note = if t.editorial { " (editorial)" } else { "" };
        let _ = writeln!(out, "<h3>{}{note}</h3>", capitalise(t.field.as_str()));
        both_views(out, &t.segments);
    }
    if !c.metadata.is_empty() {
        out.push_str("<dl class=\"meta\">\n");
        for m in &c.metadata {
            let _ = writeln!(
                out,
                "<dt>{}</dt><dd>{}</dd>",
                capitalise(m.field.as_str()),
                metadata_html(m)
            );
        }
        out.push_str("</dl>\n");
    }
    out.push_str("</article>\n");
}

/// A metadata change with removed values struck and added ones marked.
fn metadata_html(m: &MetadataChange) -> String {
    let list = |values: &[String], tag: &str| -> Vec<String> {
        values
            .iter()
            .map(|v| format!("<{tag}>{}</{tag}>", escape(v)))
            .collect()
    };
    if matches!(m.field, MetaField::Status | MetaField::Since) {
        let one = |v: &[String], tag: &str| {
            if v.is_empty() {
                "(none)".to_string()
            } else {
                list(v, tag).join(", ")
            }
        };
        return format!("{} → {}", one(&m.old, "del"), one(&m.new, "ins"));
    }
    let mut parts = list(&m.removed, "del");
    parts.extend(list(&m.added, "ins"));
    if parts.is_empty() {
        return escape(&metadata_line(m));
    }
    parts.join(" ")
}

fn statement(out: &mut String, s: &StatementChange) {
    let Some(shown) = s.shown() else { return };
    let _ = writeln!(
        out,
        "<article class=\"statement k-{}\">\n<h2><span class=\"kind\">{}</span> {}</h2>",
        s.kind.as_str(),
        s.kind.as_str(),
        escape(&place(&shown.chapter, &shown.section))
    );
    let mut facts: Vec<String> = s
        .kinds
        .iter()
        .skip(1)
        .map(|k| format!("also {}", k.as_str()))
        .collect();
    if let Some(delta) = &s.strength {
        facts.push(strength_label(s.strength_change, delta));
    } else {
        facts.push(keywords_of(&shown.keywords, shown.strength));
    }
    if s.editorial {
        facts.push("editorial only".into());
    }
    if let (Some(o), true) = (&s.old, s.kinds.contains(&ChangeKind::Moved)) {
        facts.push(format!("moved from {}", place(&o.chapter, &o.section)));
    }
    let _ = writeln!(out, "<p class=\"facts\">{}</p>", escape(&facts.join(" · ")));
    if !s.segments.is_empty() {
        both_views(out, &s.segments);
    } else if s.kind == ChangeKind::Removed {
        let _ = writeln!(out, "<p><del>{}</del></p>", escape(&shown.text));
    } else if s.kind == ChangeKind::Added {
        let _ = writeln!(out, "<p><ins>{}</ins></p>", escape(&shown.text));
    } else {
        let _ = writeln!(out, "<p>{}</p>", escape(&shown.text));
    }
    out.push_str("</article>\n");
}
