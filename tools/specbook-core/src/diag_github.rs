//! GitHub Actions workflow-command annotations (`--format github`): one `::error file=…,line=…::`
//! line per diagnostic, escaped as the workflow-command syntax requires.

use crate::diag::{Diagnostic, Severity};
use crate::diag_render::{escape_message, location};
use crate::source::SourceMap;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Renders the annotations. `root` is prefixed to file paths (the spec folder in the repository).
pub fn github(diags: &[Diagnostic], sources: &SourceMap, root: &str) -> String {
    let mut out = String::new();
    for d in diags {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let loc = location(sources, &d.primary);
        let mut message = escape_message(&d.message);
        if let Some(h) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(&escape_message(h));
        }
        out.push_str(&format!(
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(&format!("{root}{}", loc.file)),
            loc.line,
            loc.column,
            loc.end_line,
            loc.end_column,
            escape_property(&format!("{} {}", d.code.as_str(), d.code.name())),
            escape_data(&message),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
        assert_eq!(escape_data("a,b\r\n"), "a,b%0D%0A");
    }
}
