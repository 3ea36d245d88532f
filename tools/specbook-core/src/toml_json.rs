//! TOML text → JSON value with a span for every key and value, and JSON Schema validation whose
//! errors point at the offending key. Config, front matter and registries go through here, and
//! every `req` block that `crate::req_block` declines.

use crate::diag::{Code, Diagnostic};
use crate::source::FileId;
use serde_json::{Map, Number, Value};
use std::collections::BTreeMap;
use std::ops::Range;
use toml::de::{DeTable, DeValue};

/// Spans of one JSON pointer in the source text.
#[derive(Clone, Debug, Default)]
pub struct Spans {
    /// The key (for table entries), else the value.
    pub key: Range<usize>,
    /// The value.
    pub value: Range<usize>,
}

/// A JSON value decoded from TOML, with spans relative to the TOML text.
#[derive(Clone, Debug, Default)]
pub struct SpannedJson {
    /// The value.
    pub value: Value,
    /// JSON pointer (`/sources/0`) → spans. The root is `""`.
    pub spans: BTreeMap<String, Spans>,
}

impl SpannedJson {
    /// The spans of `pointer` or of its nearest ancestor that has spans.
    pub fn spans_of(&self, pointer: &str) -> Spans {
        let mut p = pointer;
        loop {
            if let Some(s) = self.spans.get(p) {
                return s.clone();
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return Spans::default(),
            }
        }
    }
}

/// A TOML syntax error: message and byte span in the TOML text.
#[derive(Clone, Debug)]
pub struct TomlError {
    /// The parser's message.
    pub message: String,
    /// Where, relative to the TOML text.
    pub span: Range<usize>,
}

/// Parses TOML text into JSON with spans.
pub fn parse(text: &str) -> Result<SpannedJson, TomlError> {
    let table = DeTable::parse(text).map_err(|e| TomlError {
        message: e.message().trim().to_string(),
        span: e.span().unwrap_or(0..0),
    })?;
    let spans = spans(&table);
    let value = table_to_json(table.get_ref());
    Ok(SpannedJson { value, spans })
}

/// JSON pointer → spans of every key and value of `table`; the root is `""`.
fn spans(table: &toml::Spanned<DeTable<'_>>) -> BTreeMap<String, Spans> {
    fn in_table(table: &DeTable<'_>, pointer: &str, spans: &mut BTreeMap<String, Spans>) {
        for (k, v) in table.iter() {
            let key: &str = k.get_ref();
            let p = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
            in_value(v.get_ref(), &p, spans);
            spans.insert(
                p,
                Spans {
                    key: k.span(),
                    value: v.span(),
                },
            );
        }
    }
    fn in_value(v: &DeValue<'_>, pointer: &str, spans: &mut BTreeMap<String, Spans>) {
        match v {
            DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let p = format!("{pointer}/{i}");
                    in_value(item.get_ref(), &p, spans);
                    spans.insert(
                        p,
                        Spans {
                            key: item.span(),
                            value: item.span(),
                        },
                    );
                }
            }
            DeValue::Table(t) => in_table(t, pointer, spans),
            _ => {}
        }
    }
    let mut spans = BTreeMap::new();
    let root = table.span();
    spans.insert(
        String::new(),
        Spans {
            key: root.clone(),
            value: root,
        },
    );
    in_table(table.get_ref(), "", &mut spans);
    spans
}

fn table_to_json(table: &DeTable<'_>) -> Value {
    let mut map = Map::new();
    for (k, v) in table.iter() {
        let key: &str = k.get_ref();
        map.insert(key.to_string(), value_to_json(v.get_ref()));
    }
    Value::Object(map)
}

fn value_to_json(v: &DeValue<'_>) -> Value {
    match v {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => {
            let n = i64::from_str_radix(&i.as_str().replace('_', ""), i.radix());
            n.map_or_else(
                |_| Value::String(i.as_str().to_string()),
                |n| Value::Number(n.into()),
            )
        }
        DeValue::Float(f) => f
            .as_str()
            .replace('_', "")
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map_or_else(|| Value::String(f.as_str().to_string()), Value::Number),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::String(d.to_string()),
        DeValue::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| value_to_json(item.get_ref()))
                .collect(),
        ),
        DeValue::Table(t) => table_to_json(t),
    }
}

/// Validates `doc` against `validator`; each error becomes a diagnostic with `code` at the
/// offending key (spans shifted by `offset`, the TOML text's position in `file`).
pub fn validate(
    validator: &jsonschema::Validator,
    doc: &SpannedJson,
    file: FileId,
    offset: usize,
    code: Code,
    what: &str,
) -> Vec<Diagnostic> {
    let shift = |r: Range<usize>| r.start + offset..r.end + offset;
    use jsonschema::error::ValidationErrorKind;
    let unknown_key = |pointer: &str, key: &str| {
        let spans = doc.spans_of(&format!(
            "{pointer}/{}",
            key.replace('~', "~0").replace('/', "~1")
        ));
        Diagnostic::new(
            code,
            file,
            shift(spans.key),
            format!("unknown key `{key}` in {what}"),
        )
        .with_label("not allowed here")
        .with_help(format!(
            "allowed keys are listed in the schema; remove `{key}` or check its spelling"
        ))
    };
    // A value that one of its allowed shapes rejects only for an extra key (a mapping
    // `{ id, relationshp }`): that key is the problem, not "no shape matches".
    let extra_key_in_a_shape = |kind: &ValidationErrorKind| match kind {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            context.iter().find_map(|shape| match shape.as_slice() {
                [only] => match only.kind() {
                    ValidationErrorKind::AdditionalProperties { unexpected } => {
                        unexpected.first().cloned()
                    }
                    _ => None,
                },
                _ => None,
            })
        }
        _ => None,
    };
    validator
        .iter_errors(&doc.value)
        .map(|err| {
            let pointer = err.instance_path().as_str().to_string();
            if let Some(key) = extra_key_in_a_shape(err.kind()) {
                return unknown_key(&pointer, &key);
            }
            match err.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    unknown_key(&pointer, &unexpected.first().cloned().unwrap_or_default())
                }
                _ => {
                    let spans = doc.spans_of(&pointer);
                    let at = if pointer.is_empty() {
                        String::new()
                    } else {
                        format!(" at `{}`", pointer_to_dotted(&pointer))
                    };
                    Diagnostic::new(
                        code,
                        file,
                        shift(spans.value),
                        format!("{what}{at}: {}", err.masked()),
                    )
                    .with_help("see the JSON Schema in `schema/` for the expected shape")
                }
            }
        })
        .collect()
}

/// `/sources/0/id` → `sources[0].id`.
pub fn pointer_to_dotted(pointer: &str) -> String {
    let mut out = String::new();
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if seg.chars().all(|c| c.is_ascii_digit()) && !seg.is_empty() {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    out
}

/// Compiles a JSON Schema with no remote reference resolution (the crate is built without
/// network or file retrieval).
pub fn compile(schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::options()
        .build(schema)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_keys_and_values() {
        let text = "title = \"x\"\n[extra]\nlist = [1, \"b\"]\n";
        let doc = parse(text).expect("valid");
        assert_eq!(doc.value["extra"]["list"][1], "b");
        let s = doc.spans_of("/extra/list/1");
        assert_eq!(&text[s.value], "\"b\"");
        let s = doc.spans_of("/title");
        assert_eq!(&text[s.key], "title");
    }

    #[test]
    fn syntax_errors_carry_a_span() {
        let err = parse("a = [1,\n").expect_err("invalid");
        assert!(!err.message.is_empty());
        assert!(err.span.start <= 8);
    }

    #[test]
    fn dotted_paths() {
        assert_eq!(pointer_to_dotted("/sources/0/id"), "sources[0].id");
    }
}
