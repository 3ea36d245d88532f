//! Requirement metadata: the TOML of a `req` block, its schema (extended by the config's extra
//! fields) and its decoding into [`ReqMeta`].

use crate::config::Config;
use crate::diag::{Code, Diagnostic};
use crate::source::FileId;
use crate::toml_json::{self, SpannedJson};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Life-cycle status of a requirement.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ReqStatus {
    /// In force.
    #[default]
    Active,
    /// Proposed, not yet in force.
    Draft,
    /// Retired; the ID stays reserved forever (a tombstone).
    Withdrawn,
}

/// How a requirement relates to a mapped target (OSCAL mapping vocabulary).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Relationship {
    /// Same meaning.
    EquivalentTo,
    /// The requirement covers part of the target.
    SubsetOf,
    /// The requirement covers the target and more.
    SupersetOf,
    /// They overlap (the default).
    #[default]
    IntersectsWith,
}

/// A mapping written either as a bare id or as `{ id, relationship }`, with no other keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
pub enum MappingSource {
    /// `"CRA-AI-P2-5"`.
    Id(String),
    /// `{ id = "CRA-AI-P2-5", relationship = "subset-of" }`.
    Full {
        /// Target id.
        id: String,
        /// Relationship (default `intersects-with`).
        #[serde(default)]
        relationship: Relationship,
    },
}

impl MappingSource {
    /// Target id and relationship.
    pub fn parts(&self) -> (&str, Relationship) {
        match self {
            MappingSource::Id(id) => (id, Relationship::default()),
            MappingSource::Full { id, relationship } => (id, *relationship),
        }
    }
}

/// One ID or a list of IDs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    /// A single ID.
    One(String),
    /// Several IDs.
    Many(Vec<String>),
}

impl Default for OneOrMany {
    fn default() -> Self {
        OneOrMany::Many(Vec::new())
    }
}

impl OneOrMany {
    /// The IDs as a slice.
    pub fn as_slice(&self) -> &[String] {
        match self {
            OneOrMany::One(s) => std::slice::from_ref(s),
            OneOrMany::Many(v) => v,
        }
    }

    /// The IDs as a list.
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// The keys of a `req` block.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "specbook requirement metadata")]
pub struct ReqMeta {
    /// Life-cycle status (default `active`).
    #[serde(default, deserialize_with = "status_string")]
    #[schemars(with = "ReqStatus")]
    pub status: ReqStatus,
    /// Version that introduced the requirement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// ID(s) this requirement replaces (renames).
    #[serde(default)]
    pub replaces: OneOrMany,
    /// Related requirement IDs.
    #[serde(default)]
    pub related: Vec<String>,
    /// Policy documents it is drawn from: `org/document` or `org/document#section`.
    #[serde(default)]
    pub sources: Vec<MappingSource>,
    /// CRA (or other framework) items it helps satisfy.
    #[serde(default)]
    pub cra: Vec<MappingSource>,
}

/// The keys of a `req` block that [`ReqMeta`] has; any other key is an extra field.
pub const KNOWN_KEYS: &[&str] = &["status", "since", "replaces", "related", "sources", "cra"];

/// `status` only as a string, as the schema says. (Without this, TOML's deserialiser would also
/// take a one-key table such as `status = { draft = {} }` as an enum variant.)
fn status_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<ReqStatus, D::Error> {
    use serde::de::IntoDeserializer;
    let s = String::deserialize(d)?;
    ReqStatus::deserialize(s.as_str().into_deserializer())
}

/// The JSON Schema of requirement metadata, as committed in `schema/requirement.schema.json`.
pub fn base_schema() -> Value {
    crate::schema::generate::<ReqMeta>("requirement.schema.json")
}

/// The schema in force for a spec: the base schema plus the config's declared extra fields.
pub fn schema_for(config: &Config) -> Value {
    let mut schema = base_schema();
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        // A field whose schema does not compile was reported with the config (SB010); leaving it
        // out keeps the other extra fields usable.
        for (k, v) in config
            .extra_fields
            .iter()
            .filter(|(_, v)| toml_json::compile(v).is_ok())
        {
            props.insert(k.clone(), v.clone());
        }
    }
    schema
}

/// Decodes validated metadata: the typed keys, and the declared extra keys verbatim.
pub fn decode(
    doc: &SpannedJson,
    validator: &jsonschema::Validator,
    file: FileId,
    offset: usize,
) -> (ReqMeta, BTreeMap<String, Value>, Vec<Diagnostic>) {
    let diags = toml_json::validate(
        validator,
        doc,
        file,
        offset,
        Code::MetadataSchema,
        "requirement metadata",
    );
    let mut extra = BTreeMap::new();
    let mut known = serde_json::Map::new();
    if let Value::Object(map) = &doc.value {
        for (k, v) in map {
            if KNOWN_KEYS.contains(&k.as_str()) {
                known.insert(k.clone(), v.clone());
            } else {
                extra.insert(k.clone(), v.clone());
            }
        }
    }
    let meta = if diags.is_empty() {
        serde_json::from_value(Value::Object(known)).unwrap_or_default()
    } else {
        // Keep what can be kept so later stages still see the requirement's links.
        lenient(&known)
    };
    (meta, extra, diags)
}

fn lenient(map: &serde_json::Map<String, Value>) -> ReqMeta {
    let mut meta = ReqMeta::default();
    for (k, v) in map {
        let mut one = serde_json::Map::new();
        one.insert(k.clone(), v.clone());
        if let Ok(m) = serde_json::from_value::<ReqMeta>(Value::Object(one)) {
            match k.as_str() {
                "status" => meta.status = m.status,
                "since" => meta.since = m.since,
                "replaces" => meta.replaces = m.replaces,
                "related" => meta.related = m.related,
                "sources" => meta.sources = m.sources,
                "cra" => meta.cra = m.cra,
                _ => {}
            }
        }
    }
    meta
}
