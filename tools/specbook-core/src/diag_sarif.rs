//! SARIF 2.1.0 rendering of diagnostics, for code-scanning uploads (`--format sarif`).

use crate::diag::{Code, Diagnostic, Severity};
use crate::diag_render::location;
use crate::source::SourceMap;
use serde_json::{Value, json};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// The SARIF log. `root` is prefixed to every file path (the spec folder relative to the
/// repository, e.g. `spec/`), so that paths resolve from the repository root.
pub fn sarif(diags: &[Diagnostic], sources: &SourceMap, root: &str, version: &str) -> Value {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "name": c.name(),
                "shortDescription": {"text": c.summary()},
                "defaultConfiguration": {"level": level(c.severity())},
            })
        })
        .collect();
    let region = |l: &crate::diag::Label| {
        let loc = location(sources, l);
        json!({
            "physicalLocation": {
                "artifactLocation": {"uri": crate::urls::file_uri(&format!("{root}{}", loc.file))},
                "region": {"startLine": loc.line, "startColumn": loc.column, "endLine": loc.end_line, "endColumn": loc.end_column.max(if loc.end_line == loc.line { loc.column } else { 1 })},
            }
        })
    };
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let index = Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0);
            let text = match &d.help {
                Some(h) => format!("{}\nhelp: {h}", d.message),
                None => d.message.clone(),
            };
            let mut r = json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": index,
                "level": level(d.severity),
                "message": {"text": text},
                "locations": [region(&d.primary)],
            });
            if !d.secondary.is_empty() {
                r["relatedLocations"] = Value::Array(
                    d.secondary
                        .iter()
                        .enumerate()
                        .map(|(i, l)| {
                            let mut loc = region(l);
                            loc["id"] = json!(i);
                            loc["message"] = json!({"text": l.message});
                            loc
                        })
                        .collect(),
                );
            }
            r
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "specbook",
                "version": version,
                "informationUri": "https://specbook.dev/",
                "rules": rules,
            }},
            "results": results,
        }],
    })
}
