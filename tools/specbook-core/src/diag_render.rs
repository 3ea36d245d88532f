//! Renders diagnostics for people (annotate-snippets, rustc style) and machines (JSON), with
//! control and bidi characters from source text made visible so a file cannot spoof the terminal.

use crate::diag::{Diagnostic, DiagnosticCounts, Label, Severity};
use crate::source::SourceMap;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Characters that reorder or hide text (CVE-2021-42574 "Trojan Source").
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
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

/// Replaces control and bidi characters in source text without changing byte offsets.
fn neutralise_source(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c.to_string(),
            c if c.is_control() => " ".repeat(c.len_utf8()),
            c if is_invisible(c) && c.len_utf8() == 3 => '\u{FFFD}'.to_string(),
            c => c.to_string(),
        })
        .collect()
}

fn level(sev: Severity) -> Level<'static> {
    match sev {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    }
}

/// The source window around a label: (text, first line number, span within the window). A span
/// that starts or ends inside a character is widened to whole characters.
fn window(sources: &SourceMap, label: &Label) -> (String, usize, std::ops::Range<usize>) {
    let file = sources.get(label.file);
    let text = file.text.as_str();
    let mut span = label.span.start.min(text.len())..label.span.end.min(text.len());
    while !text.is_char_boundary(span.start) {
        span.start -= 1;
    }
    while !text.is_char_boundary(span.end) {
        span.end += 1;
    }
    let label = &Label {
        span,
        ..label.clone()
    };
    let (line, _) = file.line_col(label.span.start);
    let (end_line, _) = file.line_col(label.span.end);
    let end_line = end_line.min(line + 8);
    let start = file.line_range(line).start;
    let end = file.line_range(end_line).end;
    let text = neutralise_source(&file.text[start..end]);
    let span = label.span.start.saturating_sub(start)
        ..label.span.end.saturating_sub(start).min(end - start);
    (text, line, span)
}

/// Renders one diagnostic in the rustc style. `styled` adds ANSI colours.
pub fn human(d: &Diagnostic, sources: &SourceMap, styled: bool) -> String {
    let message = escape_message(&d.message);
    let primary = window(sources, &d.primary);
    let label = escape_message(&d.primary.message);
    let mut snippet = Snippet::source(primary.0.as_str())
        .line_start(primary.1)
        .path(sources.get(d.primary.file).path.as_str())
        .annotation(
            AnnotationKind::Primary
                .span(primary.2.clone())
                .label(label.as_str()),
        );
    let secondary: Vec<(String, usize, std::ops::Range<usize>, String, bool)> = d
        .secondary
        .iter()
        .map(|l| {
            let (t, line, span) = window(sources, l);
            (
                t,
                line,
                span,
                escape_message(&l.message),
                l.file == d.primary.file,
            )
        })
        .collect();
    let mut others = Vec::new();
    for (t, line, span, msg, same) in &secondary {
        if *same && *line == primary.1 {
            snippet = snippet.annotation(
                AnnotationKind::Context
                    .span(span.clone())
                    .label(msg.as_str()),
            );
        } else {
            others.push((t, *line, span.clone(), msg));
        }
    }
    let mut title = level(d.severity)
        .primary_title(message.as_str())
        .id(d.code.as_str())
        .element(snippet);
    for (l, (t, line, span, msg)) in d.secondary.iter().zip(&others) {
        title = title.element(
            Snippet::source(t.as_str())
                .line_start(*line)
                .path(sources.get(l.file).path.as_str())
                .annotation(
                    AnnotationKind::Context
                        .span(span.clone())
                        .label(msg.as_str()),
                ),
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
        let s = "x\u{202e}y\u{1b}";
        assert_eq!(neutralise_source(s).len(), s.len());
    }
}
