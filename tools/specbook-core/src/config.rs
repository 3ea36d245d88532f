//! `specbook.toml`: the spec's configuration. Only `title` and `version` are required.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The default requirement ID pattern: ASCII letters, digits, `-` and `.`, starting with a letter.
pub const DEFAULT_ID_PATTERN: &str = "^[A-Za-z][A-Za-z0-9.-]*$";

/// Publication status of a spec.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum SpecStatus {
    /// Work in progress.
    #[default]
    Draft,
    /// Feature-complete, under review.
    Candidate,
    /// Approved and published.
    Final,
}

/// What to do with raw HTML in Markdown sources.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum HtmlPolicy {
    /// Report raw HTML as an error (the default).
    #[default]
    Reject,
    /// Allow raw HTML in the sources, and leave it out when rendering: tags are dropped (the
    /// text between inline tags stays), HTML blocks are dropped whole.
    Sanitize,
}

/// Resource limits for hostile or accidental input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest file read, in bytes (default 8 MiB).
    pub max_file_bytes: u64,
    /// Deepest Markdown nesting of blocks and inlines (default 64).
    pub max_nesting: usize,
    /// Most files in the spec folder (default 100,000).
    pub max_files: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 8 * 1024 * 1024,
            max_nesting: 64,
            max_files: 100_000,
        }
    }
}

/// The parsed `specbook.toml`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "specbook.toml")]
pub struct Config {
    /// Title of the specification: not empty, not only white space.
    #[schemars(length(min = 1), regex(pattern = r"\S"))]
    pub title: String,
    /// Version of this draft or release, e.g. `0.1.0`.
    #[schemars(regex(pattern = r"^[0-9A-Za-z][0-9A-Za-z.+-]*$"))]
    pub version: String,
    /// Short stable identifier of the spec (defaults to a slug of the title's letters, accents
    /// dropped, and digits, as far as they are ASCII, or `spec` when none are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub id: Option<String>,
    /// Publication status.
    #[serde(default)]
    pub status: SpecStatus,
    /// Date of this version (`YYYY-MM-DD`); without it, `SOURCE_DATE_EPOCH` or none. Never the wall clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"))]
    pub date: Option<String>,
    /// Editors' names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub editors: Vec<String>,
    /// Licence of the text, e.g. `CC-BY-4.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    /// URL the site is published under, ending in `/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^https?://"))]
    pub base_url: Option<String>,
    /// One-paragraph abstract.
    #[serde(default, rename = "abstract", skip_serializing_if = "Option::is_none")]
    pub abstract_: Option<String>,
    /// Regular expression every requirement ID must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_pattern: Option<String>,
    /// Chapter files in reading order (default: every `.md` file, sorted by name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chapters: Option<Vec<String>>,
    /// Extra requirement metadata keys, each with the JSON Schema its value must match.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(with = "BTreeMap<String, serde_json::Map<String, serde_json::Value>>")]
    pub extra_fields: BTreeMap<String, serde_json::Value>,
    /// Raw HTML policy.
    #[serde(default)]
    pub html: HtmlPolicy,
    /// Resource limits.
    #[serde(default)]
    pub limits: Limits,
}

impl Config {
    /// The minimal valid config: a title and a version, every other key at its default.
    pub fn minimal(title: &str, version: &str) -> Self {
        Self {
            title: title.to_string(),
            version: version.to_string(),
            id: None,
            status: SpecStatus::default(),
            date: None,
            editors: Vec::new(),
            licence: None,
            base_url: None,
            abstract_: None,
            id_pattern: None,
            chapters: None,
            extra_fields: BTreeMap::new(),
            html: HtmlPolicy::default(),
            limits: Limits::default(),
        }
    }

    /// The spec id: configured, or a slug of the title in the same form (`^[a-z0-9][a-z0-9-]*$`):
    /// its letters without their accents (`Über` → `uber`) and digits, as far as they are ASCII,
    /// or `spec` when none are.
    pub fn spec_id(&self) -> String {
        use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};
        if let Some(id) = &self.id {
            return id.clone();
        }
        let unaccented: String = self
            .title
            .nfd()
            .filter(|c| !is_combining_mark(*c))
            .collect();
        let ascii: String = slug(&unaccented)
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        if ascii.is_empty() {
            "spec".into()
        } else {
            ascii
        }
    }

    /// The ID pattern in force.
    pub fn id_pattern(&self) -> &str {
        self.id_pattern.as_deref().unwrap_or(DEFAULT_ID_PATTERN)
    }
}

/// Lower-case slug: letters and digits (any script) kept, runs of anything else become one `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_spec_id_has_the_form_a_configured_one_must_have() {
        let id = |title: &str| Config::minimal(title, "1").spec_id();
        assert_eq!(
            id("Secure Software Development"),
            "secure-software-development"
        );
        assert_eq!(id("Über   die Sicherheit 2"), "uber-die-sicherheit-2");
        assert_eq!(id("Sécurité logicielle"), "securite-logicielle");
        assert_eq!(id("日本語仕様"), "spec");
        assert_eq!(id("   "), "spec");
        assert_eq!(id("C++ (draft)"), "c-draft");
        let mut c = Config::minimal("Anything", "1");
        c.id = Some("mine".into());
        assert_eq!(c.spec_id(), "mine");
    }
}
