//! The catalogue: the serialisable types of `catalogue.json` (and of the site's templates), and
//! the stage that assembles them from the linked model.

use crate::bcp14::Strength;
use crate::config::SpecStatus;
use crate::coverage::Coverage;
use crate::diag::DiagnosticCounts;
use crate::meta::{Relationship, ReqStatus};
use crate::registry::{Framework, Organisation};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Version of the catalogue format; bumped on incompatible changes.
pub const CATALOGUE_VERSION: u32 = 1;

/// `catalogue.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "specbook requirement catalogue")]
pub struct Catalogue {
    /// The schema this document follows.
    #[serde(rename = "$schema")]
    pub schema: String,
    /// Format version.
    pub catalogue_version: u32,
    /// Spec metadata.
    pub spec: SpecInfo,
    /// Chapters in reading order.
    pub chapters: Vec<ChapterInfo>,
    /// Every requirement in reading order.
    pub requirements: Vec<RequirementEntry>,
    /// Normative sentences outside requirements.
    pub unidentified: Vec<UnidentifiedStatement>,
    /// Foundations and working groups with their policy documents.
    pub organisations: Vec<Organisation>,
    /// Frameworks (e.g. the CRA) with their items.
    pub frameworks: Vec<Framework>,
    /// Who covers what.
    pub coverage: Coverage,
    /// Diagnostics found while building this catalogue.
    pub diagnostics: DiagnosticCounts,
}

/// Spec metadata.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SpecInfo {
    /// Short id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Version.
    pub version: String,
    /// Status.
    pub status: SpecStatus,
    /// Date (`YYYY-MM-DD`), if configured or given by `SOURCE_DATE_EPOCH`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub date: Option<String>,
    /// Editors.
    pub editors: Vec<String>,
    /// Licence.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub licence: Option<String>,
    /// Base URL of the published site.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub base_url: Option<String>,
    /// Abstract.
    #[serde(rename = "abstract", skip_serializing_if = "Option::is_none", default)]
    pub abstract_: Option<String>,
}

/// A chapter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ChapterInfo {
    /// File stem, e.g. `04-reporting`.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Source file relative to the spec folder.
    pub file: String,
    /// Page path relative to the site root.
    pub path: String,
    /// Front matter, verbatim.
    pub front_matter: BTreeMap<String, Value>,
    /// IDs of its requirements.
    pub requirements: Vec<String>,
}

/// A place in a source file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SourceLocation {
    /// File relative to the spec folder.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// A cited policy document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PolicyLink {
    /// As written: `org/doc` or `org/doc#section`.
    pub target: Arc<str>,
    /// Organisation id.
    pub organisation: Arc<str>,
    /// Document id.
    pub document: Arc<str>,
    /// Section anchor, if cited.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub section: Option<Arc<str>>,
    /// Document (and section) title.
    pub title: Arc<str>,
    /// URL (with the section's anchor).
    pub url: Arc<str>,
    /// Relationship of the requirement to the document.
    pub relationship: Relationship,
}

/// A framework item a requirement helps satisfy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FrameworkLink {
    /// Item id.
    pub id: Arc<str>,
    /// Framework id.
    pub framework: Arc<str>,
    /// Official reference.
    pub reference: Arc<str>,
    /// URL of the official text.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub url: Option<Arc<str>>,
    /// Relationship of the requirement to the item.
    pub relationship: Relationship,
}

/// One requirement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RequirementEntry {
    /// Stable ID.
    pub id: String,
    /// Title.
    pub title: String,
    /// Strongest BCP 14 keyword's strength.
    pub strength: Strength,
    /// BCP 14 keywords in the statement, in order.
    pub keywords: Vec<String>,
    /// Statement as plain text.
    pub statement: String,
    /// Statement as HTML (links relative to the site root).
    pub statement_html: String,
    /// Rationale as plain text.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rationale: Option<String>,
    /// Rationale as HTML.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rationale_html: Option<String>,
    /// Chapter slug.
    pub chapter: String,
    /// Enclosing section titles.
    pub section: Vec<String>,
    /// Permanent page, relative to the site root.
    pub permalink: String,
    /// Where it is defined.
    pub source: SourceLocation,
    /// Status.
    pub status: ReqStatus,
    /// Version that introduced it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub since: Option<String>,
    /// IDs it replaces.
    pub replaces: Vec<String>,
    /// Related requirement IDs.
    pub related: Vec<String>,
    /// Where the links in its statement and rationale lead, in order. Absent only in catalogues
    /// written before specbook recorded it, which the diff then does not compare.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub links: Option<Vec<String>>,
    /// Cited policy documents.
    pub sources: Vec<PolicyLink>,
    /// Framework items.
    pub frameworks: Vec<FrameworkLink>,
    /// Organisations whose documents it cites, sorted.
    pub organisations: Vec<String>,
    /// Declared extra metadata.
    pub extra: BTreeMap<String, Value>,
    /// `sha256:` of the normalised title, statement, rationale and metadata.
    pub content_hash: String,
}

/// A normative sentence outside any requirement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UnidentifiedStatement {
    /// Sentence.
    pub text: String,
    /// Keywords.
    pub keywords: Vec<String>,
    /// Strength.
    pub strength: Strength,
    /// Chapter slug.
    pub chapter: String,
    /// Enclosing section titles.
    pub section: Vec<String>,
    /// Where.
    pub source: SourceLocation,
}
