//! JSON Schemas generated from the Rust types (draft 2020-12, with `$id`); the committed files in
//! `schema/` must equal these (a test checks).

use schemars::JsonSchema;
use serde_json::Value;

/// Base of every schema `$id`.
pub const SCHEMA_BASE: &str = "https://specbook.dev/schema/v1/";

/// Generates the schema of `T` with `$id` = [`SCHEMA_BASE`] + `file_name`.
pub fn generate<T: JsonSchema>(file_name: &str) -> Value {
    let mut value = serde_json::to_value(schemars::schema_for!(T)).unwrap_or(Value::Null);
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
            "framework.schema.json",
            generate::<crate::registry::Framework>("framework.schema.json"),
        ),
        (
            "policies.schema.json",
            generate::<crate::registry::Organisation>("policies.schema.json"),
        ),
        ("requirement.schema.json", crate::meta::base_schema()),
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

/// Pretty JSON with a trailing newline, as written to disk.
pub fn to_pretty(value: &Value) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}
