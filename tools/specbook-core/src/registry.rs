//! The policy registry (`policies/*.toml`: foundations and their documents) and the framework
//! registry (`frameworks/*.toml`: e.g. the CRA items). Plain data; resolution lives in `link`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Controlled vocabulary of practices a policy document covers.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)]
pub enum Practice {
    VulnerabilityReporting,
    CoordinatedDisclosure,
    SecurityTeam,
    SeverityRating,
    ThreatModel,
    CveAssignment,
    Cna,
    Advisories,
    Embargo,
    ReporterCredit,
    SecurityUpdates,
    SupportPeriod,
    ReleaseProcess,
    ReleaseSigning,
    KeyManagement,
    Checksums,
    TrustedPublishing,
    TwoFactorAuth,
    CodeReview,
    CommitAccess,
    Sbom,
    DependencyManagement,
    CiSecurity,
    RegistrySecurity,
    SecureDefaults,
    SecurityTxt,
    RegulatoryCompliance,
}

/// Whether an organisation is a CVE Numbering Authority.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum CnaStatus {
    Yes,
    No,
    Unknown,
}

/// CNA facts of an organisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cna {
    /// Status.
    pub status: CnaStatus,
    /// What the CNA covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// Kind of organisation in the policy registry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OrgKind {
    /// One of the foundations whose practice the spec draws on.
    #[default]
    Foundation,
    /// A working group (e.g. the one writing the spec).
    WorkingGroup,
}

/// A stable section of a policy document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// URL fragment of the section.
    #[schemars(regex(pattern = r"^[A-Za-z0-9._:-]+$"))]
    pub anchor: String,
    /// Heading of the section.
    pub title: String,
}

/// A policy document of an organisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// ID, unique within the organisation.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub id: String,
    /// Title.
    pub title: String,
    /// Where it is published.
    #[schemars(regex(pattern = r"^https://"))]
    pub url: String,
    /// Practices it covers.
    #[serde(default)]
    pub covers: Vec<Practice>,
    /// What it says, in one sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Stable sections that may be cited as `org/doc#anchor`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
}

impl Document {
    /// The URL of its section `anchor`: the document's URL without its own fragment (a
    /// document may be one section of a larger page), then `#anchor`.
    pub fn section_url(&self, anchor: &str) -> String {
        let page = self.url.split('#').next().unwrap_or(&self.url);
        format!("{page}#{anchor}")
    }
}

/// One `policies/<id>.toml` file: an organisation and its documents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "specbook policy registry file")]
pub struct Organisation {
    /// ID; equals the file stem.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub id: String,
    /// Full name.
    pub name: String,
    /// Foundation or working group.
    #[serde(default)]
    pub kind: OrgKind,
    /// Home page.
    #[schemars(regex(pattern = r"^https://"))]
    pub homepage: String,
    /// Where vulnerability reports go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_contact: Option<String>,
    /// CNA status.
    pub cna: Cna,
    /// Documents.
    #[serde(default)]
    pub documents: Vec<Document>,
}

/// Whether a framework item is in the scope of this spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// In scope: at least one requirement should map to it.
    In,
    /// Out of scope, with a reason.
    Out,
}

/// Whether an item is an obligation or structure around obligations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    /// An obligation; counted in coverage.
    #[default]
    Requirement,
    /// Introductory wording of a list of obligations; not counted.
    Chapeau,
    /// A heading; not counted.
    Heading,
}

/// One item of a framework (e.g. a CRA obligation).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("if" = {"properties": {"scope": {"const": "out"}}}, "then" = {"required": ["reason"]}, "else" = {"not": {"required": ["reason"]}}))]
pub struct FrameworkItem {
    /// ID, unique across all frameworks.
    #[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9.()-]*$"))]
    pub id: String,
    /// The official reference, e.g. `Annex I, Part II, point (5)`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Link to the official text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^https://"))]
    pub url: Option<String>,
    /// Obligation, chapeau or heading.
    #[serde(default)]
    pub kind: ItemKind,
    /// A summary in the spec's own words.
    pub summary: String,
    /// In or out of this spec's scope.
    pub scope: Scope,
    /// Why it is out of scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One `frameworks/<id>.toml` file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "specbook framework file")]
pub struct Framework {
    /// ID; equals the file stem (e.g. `cra`).
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub id: String,
    /// Title.
    pub title: String,
    /// Link to the official text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^https://"))]
    pub url: Option<String>,
    /// Items.
    pub items: Vec<FrameworkItem>,
}
