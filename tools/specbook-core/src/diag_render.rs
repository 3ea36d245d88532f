//! Renders diagnostics for people (annotate-snippets, rustc style) and machines (JSON), with
//! control and bidi characters from source text made visible so a file cannot spoof the terminal.

use crate::diag::{Diagnostic, DiagnosticCounts, Label, Severity};
use crate::source::SourceMap;
use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Characters that reorder or hide text (CVE-2021-42574 "Trojan Source"): bidirectional
/// controls (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069) and characters that print as
/// nothing (the soft hyphen U+00AD, the Mongolian vowel separator U+180E, U+200B–U+200D, the
/// word joiner and invisible operators U+2060–U+2064, and U+FEFF), any of which can split a
/// keyword so that it reads as one and is not.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Escapes control and bidi characters in a message: `\u{202e}`.
pub fn escape_message(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if (c.is_control() && c != '\n') || is_invisible(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Replaces control and invisible characters in source text without changing byte offsets:
/// a control becomes spaces, an invisible character `·` (two bytes) or `\u{FFFD}` (three).
fn neutralise_source(s: &str) -> Cow<'_, str> {
    let plain = |c: char| matches!(c, '\t' | '\n' | '\r') || !(c.is_control() || is_invisible(c));
    if s.chars().all(plain) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if plain(c) => out.push(c),
            c if c.is_control() => out.extend(std::iter::repeat_n(' ', c.len_utf8())),
            c if c.len_utf8() == 2 => out.push('·'),
            _ => out.push('\u{FFFD}'),
        }
    }
    Cow::Owned(out)
}

fn level(sev: Severity) -> Level<'static> {
    match sev {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    }
}

/// Bytes of a long line kept after a label's span.
const CONTEXT: usize = 160;

/// Bytes before a label's span on its line up to which the line is shown. The renderer counts
/// the column from the line's start, so the text before the span must stay; past this, the
/// label is shown by its place alone (`--> file:line:col`), without the line.
const LONGEST_HEAD: usize = 4096;

/// The source shown for one label.
struct Window<'a> {
    /// The label's whole lines (at most nine), neutralised; a last line longer than the label
    /// needs is cut [`CONTEXT`] bytes after it, the cut marked with `…`.
    text: Cow<'a, str>,
    /// 1-based number of the first line.
    line: usize,
    /// The label's span within `text`.
    span: std::ops::Range<usize>,
    /// `(line, column)` of a label whose line is too long to show before it (see
    /// [`LONGEST_HEAD`]): only this place is printed.
    place_only: Option<(usize, usize)>,
}

/// The source window around a label. A span that starts or ends inside a character is widened
/// to whole characters. Cutting long lines keeps the work per diagnostic small: otherwise every
/// diagnostic on a line of a megabyte would render the whole megabyte.
fn window<'a>(sources: &'a SourceMap, label: &Label) -> Window<'a> {
    let file = sources.get(label.file);
    let text = file.text.as_str();
    let mut span = label.span.start.min(text.len())..label.span.end.min(text.len());
    while !text.is_char_boundary(span.start) {
        span.start -= 1;
    }
    while !text.is_char_boundary(span.end) {
        span.end += 1;
    }
    let (line, column) = file.line_col(span.start);
    let (end_line, _) = file.line_col(span.end);
    let start = file.line_range(line).start;
    let end = file.line_range(end_line.min(line + 8)).end;
    let span = span.start..span.end.min(end);
    if span.start - start > LONGEST_HEAD {
        return Window {
            text: Cow::Borrowed(""),
            line,
            span: 0..0,
            place_only: Some((line, column)),
        };
    }
    let mut to = end;
    if end - span.end > 2 * CONTEXT {
        to = span.end + CONTEXT;
        while !text.is_char_boundary(to) {
            to += 1;
        }
    }
    let body = neutralise_source(&text[start..to]);
    Window {
        text: if to < end {
            Cow::Owned(format!("{body}…"))
        } else {
            body
        },
        line,
        span: span.start - start..span.end - start,
        place_only: None,
    }
}

/// Adds a secondary label to `group`: its window as a snippet with `annotation`, or only its
/// place.
fn add_label<'a>(
    group: Group<'a>,
    w: &'a Window<'_>,
    path: &'a str,
    annotation: annotate_snippets::Annotation<'a>,
) -> Group<'a> {
    match w.place_only {
        Some((line, column)) => group.element(Origin::path(path).line(line).char_column(column)),
        None => group.element(
            Snippet::source(w.text.as_ref())
                .line_start(w.line)
                .path(path)
                .annotation(annotation),
        ),
    }
}

/// Renders one diagnostic in the rustc style. `styled` adds ANSI colours.
pub fn human(d: &Diagnostic, sources: &SourceMap, styled: bool) -> String {
    let message = escape_message(&d.message);
    // File names are text from the file system: escaped like messages, newlines included.
    let path = |l: &Label| escape_message(&sources.get(l.file).path).replace('\n', "\\u{a}");
    let primary_path = path(&d.primary);
    let primary = window(sources, &d.primary);
    let label = escape_message(&d.primary.message);
    let secondary: Vec<(String, &Label, Window, String)> = d
        .secondary
        .iter()
        .map(|l| (path(l), l, window(sources, l), escape_message(&l.message)))
        .collect();
    let group = Group::with_title(
        level(d.severity)
            .primary_title(message.as_str())
            .id(d.code.as_str()),
    );
    let mut others = Vec::new();
    let mut main = Snippet::source(primary.text.as_ref())
        .line_start(primary.line)
        .path(primary_path.as_str())
        .annotation(
            AnnotationKind::Primary
                .span(primary.span.clone())
                .label(label.as_str()),
        );
    for (p, l, w, msg) in &secondary {
        let same_text = l.file == d.primary.file
            && w.line == primary.line
            && w.place_only.is_none()
            && primary.place_only.is_none();
        if same_text {
            main = main.annotation(
                AnnotationKind::Context
                    .span(w.span.clone())
                    .label(msg.as_str()),
            );
        } else {
            others.push((p, w, msg));
        }
    }
    let mut title = match primary.place_only {
        Some((line, column)) => group.element(
            Origin::path(primary_path.as_str())
                .line(line)
                .char_column(column),
        ),
        None => group.element(main),
    };
    for (p, w, msg) in others {
        title = add_label(
            title,
            w,
            p.as_str(),
            AnnotationKind::Context
                .span(w.span.clone())
                .label(msg.as_str()),
        );
    }
    let help = d.help.as_deref().map(escape_message);
    let mut report = vec![title];
    if let Some(h) = &help {
        report.push(Group::with_title(Level::HELP.secondary_title(h.as_str())));
    }
    let renderer = if styled {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    renderer.render(&report).to_string()
}

/// The summary line after the diagnostics.
pub fn summary(counts: &DiagnosticCounts) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}, {}",
        plural(counts.errors, "error"),
        plural(counts.warnings, "warning"),
        plural(counts.notes, "note")
    )
}

/// A diagnostic as JSON consumers see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JsonDiagnostic {
    /// Stable code, e.g. `SB020`.
    pub code: String,
    /// Stable name, e.g. `duplicate-id`.
    pub name: String,
    /// Severity.
    pub severity: Severity,
    /// Message.
    pub message: String,
    /// Primary location.
    pub location: JsonLocation,
    /// Other locations.
    pub related: Vec<JsonLocation>,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub help: Option<String>,
}

/// A location in a file (1-based lines and columns; the end is exclusive).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JsonLocation {
    /// File relative to the spec folder.
    pub file: String,
    /// Start line.
    pub line: usize,
    /// Start column (characters).
    pub column: usize,
    /// End line.
    pub end_line: usize,
    /// End column.
    pub end_column: usize,
    /// Label.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub label: String,
}

/// `--format json` output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "specbook diagnostics")]
pub struct DiagnosticReport {
    /// Diagnostics, sorted.
    pub diagnostics: Vec<JsonDiagnostic>,
    /// Counts.
    pub summary: DiagnosticCounts,
}

/// Converts a label to a JSON location.
pub fn location(sources: &SourceMap, l: &Label) -> JsonLocation {
    let file = sources.get(l.file);
    let (line, column) = file.line_col(l.span.start);
    let (end_line, end_column) = file.line_col(l.span.end);
    JsonLocation {
        file: file.path.clone(),
        line,
        column,
        end_line,
        end_column,
        label: l.message.clone(),
    }
}

/// Builds the JSON report.
pub fn json(diags: &[Diagnostic], sources: &SourceMap) -> DiagnosticReport {
    DiagnosticReport {
        diagnostics: diags
            .iter()
            .map(|d| JsonDiagnostic {
                code: d.code.as_str().to_string(),
                name: d.code.name().to_string(),
                severity: d.severity,
                message: d.message.clone(),
                location: location(sources, &d.primary),
                related: d.secondary.iter().map(|l| location(sources, l)).collect(),
                help: d.help.clone(),
            })
            .collect(),
        summary: DiagnosticCounts::of(diags),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_bidi_and_control() {
        assert_eq!(
            escape_message("a\u{202e}b\u{1b}[31m"),
            "a\\u{202e}b\\u{1b}[31m"
        );
        let s = "x\u{202e}y\u{1b}\u{ad}z\u{2060}";
        let n = neutralise_source(s);
        assert_eq!(n.len(), s.len());
        assert_eq!(n, "x\u{FFFD}y ·z\u{FFFD}");
        assert!(matches!(
            neutralise_source("plain é\tline\n"),
            Cow::Borrowed(_)
        ));
    }

    fn one_file(text: &str) -> (SourceMap, crate::source::FileId) {
        let mut sources = SourceMap::default();
        let id = sources.add(crate::source::SourceFile::new("a.md", text));
        (sources, id)
    }

    #[test]
    fn a_label_on_a_long_line_shows_only_what_is_around_it() {
        use crate::diag::Code;
        // Near the start of a line of a megabyte: the line is cut after the span.
        let text = format!("[A1] {}\n", "x".repeat(1_000_000));
        let (sources, file) = one_file(&text);
        let d = Diagnostic::new(Code::UnknownReference, file, 0..4, "unknown reference `A1`");
        let out = human(&d, &sources, false);
        assert!(out.contains(" --> a.md:1:1\n"), "{out}");
        assert!(out.len() < 1_000, "{} bytes", out.len());
        // Deep into a line: its place alone, with the column counted in characters.
        let text = format!("{}[A1]\n", "é".repeat(5_000));
        let (sources, file) = one_file(&text);
        let at = 2 * 5_000;
        let d = Diagnostic::new(
            Code::UnknownReference,
            file,
            at..at + 4,
            "unknown reference",
        );
        let out = human(&d, &sources, false);
        assert!(out.trim_end().ends_with("--> a.md:1:5001"), "{out}");
        assert!(out.len() < 500, "{} bytes", out.len());
    }

    #[test]
    fn file_names_cannot_drive_the_terminal() {
        use crate::diag::Code;
        let mut sources = SourceMap::default();
        let f = sources.add(crate::source::SourceFile::new(
            "02-\u{1b}[31mRED\u{1b}[0m\nfake.md",
            "[A1]\n",
        ));
        let d = Diagnostic::new(Code::UnknownReference, f, 0..4, "unknown reference");
        let out = human(&d, &sources, false);
        assert!(!out.contains('\u{1b}'), "{out}");
        assert!(
            out.contains("--> 02-\\u{1b}[31mRED\\u{1b}[0m\\u{a}fake.md:1:1"),
            "{out}"
        );
    }

    #[test]
    fn secondary_labels_keep_their_own_files() {
        use crate::diag::Code;
        let mut sources = SourceMap::default();
        let a = sources.add(crate::source::SourceFile::new("a.md", "X-1 and X-1\n"));
        let b = sources.add(crate::source::SourceFile::new("b.md", "first\nX-1\n"));
        let d = Diagnostic::new(Code::DuplicateId, a, 8..11, "twice")
            .with_secondary(a, 0..3, "same line")
            .with_secondary(b, 6..9, "other file");
        let out = human(&d, &sources, false);
        assert!(out.contains("::: b.md:2:1"), "{out}");
        assert!(!out.contains("::: a.md"), "{out}");
    }
}
