//! JSON Schemas generated from the Rust types (draft 2020-12, with `$id`); the committed files in
//! `schema/` must equal these (a test checks).

use schemars::JsonSchema;
use serde_json::Value;

/// Base of every schema `$id`.
pub const SCHEMA_BASE: &str = "https://specbook.dev/schema/v1/";

/// Generates the schema of `T` with `$id` = [`SCHEMA_BASE`] + `file_name`.
pub fn generate<T: JsonSchema>(file_name: &str) -> Value {
    let mut value = serde_json::to_value(schemars::schema_for!(T)).unwrap_or(Value::Null);
    simplify_enums(&mut value);
    if let Value::Object(map) = &mut value {
        let mut out = serde_json::Map::new();
        out.insert(
            "$schema".into(),
            map.remove("$schema").unwrap_or(Value::Null),
        );
        out.insert(
            "$id".into(),
            Value::String(format!("{SCHEMA_BASE}{file_name}")),
        );
        out.extend(std::mem::take(map));
        return Value::Object(out);
    }
    value
}

/// Rewrites `oneOf: [{const, description}, …]` (schemars' form for documented unit enums) as
/// `enum: […]` with the descriptions joined, so validators report "not one of …".
fn simplify_enums(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let consts: Option<Vec<(Value, String)>> = map
                .get("oneOf")
                .and_then(Value::as_array)
                .and_then(|branches| {
                    branches
                        .iter()
                        .map(|b| {
                            let o = b.as_object()?;
                            let c = o.get("const")?.clone();
                            let extra = o
                                .keys()
                                .any(|k| !matches!(k.as_str(), "const" | "description" | "type"));
                            (!extra).then(|| {
                                (
                                    c,
                                    o.get("description")
                                        .and_then(Value::as_str)
                                        .unwrap_or("")
                                        .to_string(),
                                )
                            })
                        })
                        .collect()
                });
            if let Some(consts) = consts {
                map.remove("oneOf");
                let docs: Vec<String> = consts
                    .iter()
                    .filter(|(_, d)| !d.is_empty())
                    .map(|(c, d)| format!("`{}`: {d}", c.as_str().unwrap_or_default()))
                    .collect();
                map.insert(
                    "enum".into(),
                    Value::Array(consts.into_iter().map(|(c, _)| c).collect()),
                );
                if !docs.is_empty() && !map.contains_key("description") {
                    map.insert("description".into(), Value::String(docs.join("; ")));
                }
            }
            for v in map.values_mut() {
                simplify_enums(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(simplify_enums),
        _ => {}
    }
}

/// Every committed schema: file name and content.
pub fn all() -> Vec<(&'static str, Value)> {
    vec![
        (
            "catalogue.schema.json",
            generate::<crate::catalogue::Catalogue>("catalogue.schema.json"),
        ),
        (
            "config.schema.json",
            generate::<crate::config::Config>("config.schema.json"),
        ),
        (
            "coverage.schema.json",
            generate::<crate::coverage::CoverageReport>("coverage.schema.json"),
        ),
        (
            "diagnostics.schema.json",
            generate::<crate::diag_render::DiagnosticReport>("diagnostics.schema.json"),
        ),
        (
            "diff.schema.json",
            generate::<crate::diff::DiffReport>("diff.schema.json"),
        ),
        (
            "framework.schema.json",
            generate::<crate::registry::Framework>("framework.schema.json"),
        ),
        (
            "policies.schema.json",
            generate::<crate::registry::Organisation>("policies.schema.json"),
        ),
        (
            "release.schema.json",
            generate::<crate::release::ReleaseInfo>("release.schema.json"),
        ),
        ("requirement.schema.json", crate::meta::base_schema()),
        (
            "versions.schema.json",
            generate::<crate::release::Versions>("versions.schema.json"),
        ),
    ]
}

/// The schemas the tool validates input against.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// `specbook.toml`.
    Config,
    /// `policies/*.toml`.
    Policies,
    /// `frameworks/*.toml`.
    Framework,
}

/// The compiled validator for `kind`, built once per process.
pub fn validator(kind: Kind) -> &'static jsonschema::Validator {
    use std::sync::OnceLock;
    static CONFIG: OnceLock<jsonschema::Validator> = OnceLock::new();
    static POLICIES: OnceLock<jsonschema::Validator> = OnceLock::new();
    static FRAMEWORK: OnceLock<jsonschema::Validator> = OnceLock::new();
    let (cell, schema): (&OnceLock<jsonschema::Validator>, fn() -> Value) = match kind {
        Kind::Config => (&CONFIG, || {
            generate::<crate::config::Config>("config.schema.json")
        }),
        Kind::Policies => (&POLICIES, || {
            generate::<crate::registry::Organisation>("policies.schema.json")
        }),
        Kind::Framework => (&FRAMEWORK, || {
            generate::<crate::registry::Framework>("framework.schema.json")
        }),
    };
    cell.get_or_init(|| crate::toml_json::compile(&schema()).expect("generated schemas compile"))
}

/// A copy of `schema` whose `$id` is where the site publishes it (`<base_url>schema/<name>`),
/// or unchanged without a base URL.
pub fn rehome(mut schema: Value, base_url: Option<&str>, name: &str) -> Value {
    if let (Some(base), Value::Object(map)) = (base_url, &mut schema) {
        let base = if base.ends_with('/') {
            base.to_string()
        } else {
            format!("{base}/")
        };
        map.insert("$id".into(), Value::String(format!("{base}schema/{name}")));
    }
    schema
}

/// A draft-07 projection of a generated 2020-12 schema, for editors and SchemaStore, whose
/// tooling often lacks 2020-12: `$defs` become `definitions`, and the `$id` gains `draft-07/`.
pub fn to_draft07(schema: &Value) -> Value {
    fn walk(v: &Value) -> Value {
        match v {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let key = if k == "$defs" {
                            "definitions".to_string()
                        } else {
                            k.clone()
                        };
                        let value = match (k.as_str(), v) {
                            ("$ref", Value::String(r)) => {
                                Value::String(r.replace("#/$defs/", "#/definitions/"))
                            }
                            _ => walk(v),
                        };
                        (key, value)
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(walk).collect()),
            other => other.clone(),
        }
    }
    let mut out = walk(schema);
    if let Value::Object(map) = &mut out {
        map.insert(
            "$schema".into(),
            Value::String("http://json-schema.org/draft-07/schema#".into()),
        );
        if let Some(Value::String(id)) = map.get("$id").cloned()
            && let Some((dir, file)) = id.rsplit_once('/')
        {
            map.insert(
                "$id".into(),
                Value::String(format!("{dir}/draft-07/{file}")),
            );
        }
    }
    out
}

/// Writes `value` as pretty JSON (two-space indent) with a final newline, the layout of every
/// JSON file specbook publishes.
pub fn write_pretty<T: serde::Serialize + ?Sized>(
    w: &mut dyn std::io::Write,
    value: &T,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, value)?;
    w.write_all(b"\n")
}

/// `value` laid out as [`write_pretty`] lays it out when it stands `depth` levels deep in a
/// larger document: its inner lines are indented by `depth` more levels, and neither the indent
/// of its first line nor a newline is added. Pieces made this way on several threads and joined
/// in order give the bytes of serialising the whole document at once: serde_json escapes every
/// newline inside a string, so each one in its output starts a new line of the layout.
pub fn pretty_fragment<T: serde::Serialize + ?Sized>(value: &T, depth: usize) -> Vec<u8> {
    let mut json = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut json,
        DeepPretty {
            level: depth,
            has_value: false,
        },
    );
    // Writing into a vector cannot fail; a value that cannot be serialised (a map with
    // non-string keys, which the published types do not have) is written as far as it went.
    let _ = value.serialize(&mut ser);
    json
}

/// serde_json's pretty layout (two spaces per level) starting `level` levels deep, so that
/// [`pretty_fragment`] writes its lines indented in one pass instead of re-indenting them.
struct DeepPretty {
    level: usize,
    has_value: bool,
}

impl DeepPretty {
    fn new_line<W: ?Sized + std::io::Write>(&self, w: &mut W, comma: bool) -> std::io::Result<()> {
        w.write_all(if comma { b",\n" } else { b"\n" })?;
        for _ in 0..self.level {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.new_line(w, false)?;
        }
        w.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for DeepPretty {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.new_line(w, !first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.new_line(w, !first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Pretty JSON with a trailing newline, as written to disk.
pub fn to_pretty(value: &Value) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::pretty_fragment;

    /// The layout `pretty_fragment` must give: serde_json's pretty output with every line after
    /// the first indented `depth` levels more.
    fn reindented(value: &serde_json::Value, depth: usize) -> String {
        let json = serde_json::to_string_pretty(value).expect("serialise");
        json.split('\n')
            .collect::<Vec<_>>()
            .join(&format!("\n{}", "  ".repeat(depth)))
    }

    #[test]
    fn fragments_have_the_layout_of_the_whole_document() {
        let value = serde_json::json!({
            "empty": {}, "none": [], "text": "two\nlines \"quoted\"", "n": 1.5,
            "list": [1, [2, []], {"a": {"b": [true, null]}}],
        });
        for v in [
            value.clone(),
            serde_json::json!([]),
            serde_json::json!("x"),
            serde_json::json!([{}]),
        ] {
            for depth in 0..4 {
                let got = String::from_utf8(pretty_fragment(&v, depth)).expect("utf-8");
                assert_eq!(got, reindented(&v, depth), "depth {depth}");
            }
        }
        // And joined into a document, the same bytes as serialising it whole.
        let doc = serde_json::json!({"outer": {"inner": value}});
        let whole = serde_json::to_string_pretty(&doc).expect("serialise");
        let inner = String::from_utf8(pretty_fragment(&doc["outer"]["inner"], 2)).expect("utf-8");
        assert!(whole.contains(&inner), "{whole}\n---\n{inner}");
    }
}
