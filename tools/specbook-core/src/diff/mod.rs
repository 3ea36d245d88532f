//! The requirement-level diff between two versions of a spec: the serialisable report
//! (`schema/diff.schema.json`), the comparison that classifies every change, the lenses that
//! filter it, the sides it reads (git revision, spec folder, catalogue) and its renderers.
//!
//! Requirements are matched by ID. Each changed requirement yields one [`Change`] whose `kind`
//! is its most important classification and whose `kinds` lists all of them (a requirement can be
//! renamed, moved and modified at once). Normative sentences outside requirements (legacy drafts
//! without IDs) are aligned by section and text similarity into [`StatementChange`]s.

mod compare;
pub mod git;
pub mod html;
mod lens;
pub mod markdown;
pub mod side;
pub mod text;
pub mod words;

pub use compare::{Comparison, RENAME_SIMILARITY, compare};
pub use lens::{Lens, StrengthLens};

use crate::bcp14::Strength;
use crate::catalogue::{Catalogue, SourceLocation};
use crate::config::SpecStatus;
use crate::meta::ReqStatus;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Version of the diff format; bumped on incompatible changes.
pub const DIFF_VERSION: u32 = 1;

/// `specbook diff --format json`: every change between two versions of a spec.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "specbook requirement diff")]
pub struct DiffReport {
    /// The schema this document follows.
    #[serde(rename = "$schema")]
    pub schema: String,
    /// Format version.
    pub diff_version: u32,
    /// The older side.
    pub old: SideInfo,
    /// The newer side.
    pub new: SideInfo,
    /// The filters applied to `changes` and `statements` (empty lists: no filter).
    pub lens: Lens,
    /// Counts of what is shown, and of what the lens hid.
    pub summary: Summary,
    /// Changed requirements, in the new side's reading order (removed ones where they used to be).
    pub changes: Vec<Change>,
    /// Changed normative sentences outside requirements (legacy drafts without IDs).
    pub statements: Vec<StatementChange>,
    /// What makes the diff fail (exit 1) whatever the lens: IDs lost, spec errors.
    pub problems: Vec<Problem>,
}

/// Where a side was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SideKind {
    /// A git revision of the current repository.
    Git,
    /// A spec folder.
    Folder,
    /// A `catalogue.json` (or a built or released folder holding one).
    Catalogue,
}

/// One side of the diff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SideInfo {
    /// As given on the command line.
    pub label: String,
    /// What it is.
    pub kind: SideKind,
    /// The commit a git revision resolved to.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub commit: Option<String>,
    /// Spec id.
    pub spec_id: String,
    /// Spec title.
    pub title: String,
    /// Spec version.
    pub version: String,
    /// Spec status.
    pub status: SpecStatus,
    /// Spec date.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub date: Option<String>,
    /// Number of requirements.
    pub requirements: usize,
    /// Spec errors reported for this side.
    pub errors: usize,
}

impl SideInfo {
    /// Describes `catalogue`, read from `label`.
    pub fn of(label: impl Into<String>, kind: SideKind, catalogue: &Catalogue) -> Self {
        Self {
            label: label.into(),
            kind,
            commit: None,
            spec_id: catalogue.spec.id.clone(),
            title: catalogue.spec.title.clone(),
            version: catalogue.spec.version.clone(),
            status: catalogue.spec.status,
            date: catalogue.spec.date.clone(),
            requirements: catalogue.requirements.len(),
            errors: catalogue.diagnostics.errors,
        }
    }

    /// `0.2.0 (HEAD, 1a2b3c4)`: version, label and short commit.
    pub fn describe(&self) -> String {
        let mut parts = vec![self.label.clone()];
        if let Some(c) = &self.commit {
            let short: String = c.chars().take(7).collect();
            if c.starts_with(&self.label) {
                parts = vec![short]; // the label was (an abbreviation of) the commit itself
            } else {
                parts.push(short);
            }
        }
        if self.version.is_empty() {
            parts.join(", ")
        } else {
            format!("{} ({})", self.version, parts.join(", "))
        }
    }
}

/// Classification of a change.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// New ID.
    Added,
    /// The ID vanished without a tombstone (IDs must never disappear).
    Removed,
    /// Its status became `withdrawn` (a tombstone).
    Withdrawn,
    /// Its ID changed: declared with `replaces`, or detected (nearly the same text).
    Renamed,
    /// Its title, statement, rationale, strength or metadata changed.
    Modified,
    /// Its chapter or section changed.
    Moved,
}

impl ChangeKind {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Withdrawn => "withdrawn",
            ChangeKind::Renamed => "renamed",
            ChangeKind::Modified => "modified",
            ChangeKind::Moved => "moved",
        }
    }

    /// Every kind, in order of precedence.
    pub const ALL: [ChangeKind; 6] = [
        ChangeKind::Added,
        ChangeKind::Removed,
        ChangeKind::Withdrawn,
        ChangeKind::Renamed,
        ChangeKind::Modified,
        ChangeKind::Moved,
    ];
}

/// Direction of a change of normative strength (none < may < should < must).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StrengthChange {
    /// E.g. SHOULD → MUST.
    Strengthened,
    /// E.g. MUST → SHOULD or MAY.
    Weakened,
    /// Same strength (RECOMMENDED → SHOULD is the same), or not applicable (added, removed, withdrawn).
    None,
}

impl StrengthChange {
    /// From the strengths before and after.
    pub fn of(old: Strength, new: Strength) -> Self {
        match new.cmp(&old) {
            std::cmp::Ordering::Greater => StrengthChange::Strengthened,
            std::cmp::Ordering::Less => StrengthChange::Weakened,
            std::cmp::Ordering::Equal => StrengthChange::None,
        }
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            StrengthChange::Strengthened => "strengthened",
            StrengthChange::Weakened => "weakened",
            StrengthChange::None => "none",
        }
    }
}

/// One changed requirement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Change {
    /// Its ID: the new one, or the old one when it was removed.
    pub id: String,
    /// The previous ID when it was renamed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub old_id: Option<String>,
    /// The most important classification (precedence: added, removed, withdrawn, renamed, modified, moved).
    pub kind: ChangeKind,
    /// Every classification that applies, in precedence order.
    pub kinds: Vec<ChangeKind>,
    /// Whether the normative strength went up or down (`none` for added, removed and withdrawn).
    pub strength_change: StrengthChange,
    /// True when the only changes are editorial text changes (white space, punctuation, case),
    /// with the same BCP 14 keywords and nothing else changed.
    pub editorial: bool,
    /// The requirement before (`null` when added).
    pub old: Option<Snapshot>,
    /// The requirement after (`null` when removed).
    pub new: Option<Snapshot>,
    /// How the rename was found.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rename: Option<Rename>,
    /// Keywords and strength before and after, when they differ.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub strength: Option<StrengthDelta>,
    /// Changed text fields with word-level highlights.
    pub text: Vec<TextChange>,
    /// Changed metadata.
    pub metadata: Vec<MetadataChange>,
}

impl Change {
    /// The title to show: the new one, else the old one.
    pub fn title(&self) -> &str {
        self.new
            .as_ref()
            .or(self.old.as_ref())
            .map_or("", |s| s.title.as_str())
    }

    /// Whether it has `kind` among its classifications.
    pub fn is(&self, kind: ChangeKind) -> bool {
        self.kinds.contains(&kind)
    }

    /// Whether any text change is substantive.
    pub fn substantive_text(&self) -> bool {
        self.text.iter().any(|t| !t.editorial)
    }
}

/// A requirement as it is on one side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Snapshot {
    /// ID.
    pub id: String,
    /// Title.
    pub title: String,
    /// Strength.
    pub strength: Strength,
    /// BCP 14 keywords, in order.
    pub keywords: Vec<String>,
    /// Statement (plain text).
    pub statement: String,
    /// Rationale (plain text).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rationale: Option<String>,
    /// Chapter slug.
    pub chapter: String,
    /// Chapter title.
    pub chapter_title: String,
    /// Enclosing section titles.
    pub section: Vec<String>,
    /// Status.
    pub status: ReqStatus,
    /// Version that introduced it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub since: Option<String>,
    /// IDs it replaces.
    pub replaces: Vec<String>,
    /// Related IDs.
    pub related: Vec<String>,
    /// Where the links in its statement and rationale lead (absent when its catalogue did not
    /// record them).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub links: Option<Vec<String>>,
    /// Cited policy documents (`org/doc`, with a non-default relationship in parentheses).
    pub sources: Vec<String>,
    /// Framework items (with a non-default relationship in parentheses).
    pub frameworks: Vec<String>,
    /// Organisations it cites.
    pub organisations: Vec<String>,
    /// Extra metadata.
    pub extra: BTreeMap<String, Value>,
    /// Permanent page, relative to the site root.
    pub permalink: String,
    /// Where it is defined.
    pub source: SourceLocation,
    /// Content hash.
    pub content_hash: String,
}

/// How a rename was found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Rename {
    /// Declared with `replaces` (otherwise detected from nearly identical text).
    pub declared: bool,
    /// Word similarity of title and statement, 0–1 (two decimals).
    pub similarity: f64,
}

/// Strength and keywords before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StrengthDelta {
    /// Strength before.
    pub old: Strength,
    /// Strength after.
    pub new: Strength,
    /// Keywords before.
    pub old_keywords: Vec<String>,
    /// Keywords after.
    pub new_keywords: Vec<String>,
}

/// A text field of a requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TextField {
    /// Heading.
    Title,
    /// Normative statement.
    Statement,
    /// Rationale.
    Rationale,
}

impl TextField {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TextField::Title => "title",
            TextField::Statement => "statement",
            TextField::Rationale => "rationale",
        }
    }
}

/// A changed text field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TextChange {
    /// Which field.
    pub field: TextField,
    /// Only white space, punctuation or case changed, and the BCP 14 keywords are the same.
    pub editorial: bool,
    /// Before (`null` when absent).
    pub old: Option<String>,
    /// After (`null` when absent).
    pub new: Option<String>,
    /// Word-level diff: concatenating `equal` and `delete` gives `old`, `equal` and `insert` gives `new`.
    pub segments: Vec<Segment>,
}

/// A run of words in a word-level diff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Segment {
    /// What happened to it.
    pub op: SegmentOp,
    /// The text.
    pub text: String,
}

/// Operation of a [`Segment`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SegmentOp {
    /// On both sides.
    Equal,
    /// Only in the old text.
    Delete,
    /// Only in the new text.
    Insert,
}

/// A metadata field of a requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MetaField {
    /// `status`.
    Status,
    /// `since`.
    Since,
    /// `replaces`.
    Replaces,
    /// `related`.
    Related,
    /// `sources` (policy documents).
    Sources,
    /// `cra` (framework items).
    Frameworks,
    /// Declared extra keys (`key=value`).
    Extra,
    /// Where the links in the statement and rationale lead.
    Links,
}

impl MetaField {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            MetaField::Status => "status",
            MetaField::Since => "since",
            MetaField::Replaces => "replaces",
            MetaField::Related => "related",
            MetaField::Sources => "sources",
            MetaField::Frameworks => "frameworks",
            MetaField::Extra => "extra",
            MetaField::Links => "links",
        }
    }
}

/// A changed metadata field; values are strings (a single value is a one-element list).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MetadataChange {
    /// Which field.
    pub field: MetaField,
    /// Values before.
    pub old: Vec<String>,
    /// Values after.
    pub new: Vec<String>,
    /// Values only after.
    pub added: Vec<String>,
    /// Values only before.
    pub removed: Vec<String>,
}

/// A normative sentence outside requirements as it is on one side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StatementSnapshot {
    /// The sentence.
    pub text: String,
    /// Keywords.
    pub keywords: Vec<String>,
    /// Strength.
    pub strength: Strength,
    /// Chapter slug.
    pub chapter: String,
    /// Chapter title.
    pub chapter_title: String,
    /// Enclosing section titles.
    pub section: Vec<String>,
    /// Where.
    pub source: SourceLocation,
}

/// A changed normative sentence outside requirements, aligned by section and text similarity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StatementChange {
    /// `added`, `removed`, `modified` or `moved`.
    pub kind: ChangeKind,
    /// Every classification that applies.
    pub kinds: Vec<ChangeKind>,
    /// Whether the normative strength went up or down.
    pub strength_change: StrengthChange,
    /// Only white space, punctuation or case changed.
    pub editorial: bool,
    /// Word similarity of the aligned sentences, 0–1 (two decimals).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub similarity: Option<f64>,
    /// Before (`null` when added).
    pub old: Option<StatementSnapshot>,
    /// After (`null` when removed).
    pub new: Option<StatementSnapshot>,
    /// Keywords and strength before and after, when they differ.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub strength: Option<StrengthDelta>,
    /// Word-level diff of the sentence (empty when added or removed).
    pub segments: Vec<Segment>,
}

impl StatementChange {
    /// The side shown first: the new one, else the old one.
    pub fn shown(&self) -> Option<&StatementSnapshot> {
        self.new.as_ref().or(self.old.as_ref())
    }
}

/// What makes a diff fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemCode {
    /// An ID vanished without a tombstone (`status = "withdrawn"`) or a `replaces` declaration.
    RemovedWithoutTombstone,
    /// An ID changed without a `replaces` declaration (detected from nearly identical text).
    UndeclaredRename,
    /// A side has spec errors.
    SpecErrors,
}

/// A problem found by the diff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Problem {
    /// What.
    pub code: ProblemCode,
    /// The ID concerned.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub id: Option<String>,
    /// One sentence.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

/// Counts of the changes shown (a change counts once for each of its `kinds`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Changed requirements shown.
    pub changes: usize,
    /// Changed requirements the lens hid.
    pub hidden: usize,
    /// Requirements with no change (before the lens).
    pub unchanged: usize,
    /// Added.
    pub added: usize,
    /// Removed without tombstone.
    pub removed: usize,
    /// Withdrawn.
    pub withdrawn: usize,
    /// Renamed.
    pub renamed: usize,
    /// Modified.
    pub modified: usize,
    /// Moved.
    pub moved: usize,
    /// Strengthened.
    pub strengthened: usize,
    /// Weakened.
    pub weakened: usize,
    /// Editorial only.
    pub editorial: usize,
    /// With a substantive text change.
    pub substantive: usize,
    /// With a metadata change.
    pub metadata: usize,
    /// Changed normative sentences outside requirements shown.
    pub statements: usize,
    /// Changed normative sentences outside requirements the lens hid.
    pub statements_hidden: usize,
}

impl Summary {
    fn count(changes: &[Change], statements: &[StatementChange]) -> Self {
        let mut s = Summary {
            changes: changes.len(),
            statements: statements.len(),
            ..Summary::default()
        };
        for c in changes {
            for k in &c.kinds {
                *match k {
                    ChangeKind::Added => &mut s.added,
                    ChangeKind::Removed => &mut s.removed,
                    ChangeKind::Withdrawn => &mut s.withdrawn,
                    ChangeKind::Renamed => &mut s.renamed,
                    ChangeKind::Modified => &mut s.modified,
                    ChangeKind::Moved => &mut s.moved,
                } += 1;
            }
            match c.strength_change {
                StrengthChange::Strengthened => s.strengthened += 1,
                StrengthChange::Weakened => s.weakened += 1,
                StrengthChange::None => {}
            }
            s.editorial += usize::from(c.editorial);
            s.substantive += usize::from(c.substantive_text());
            s.metadata += usize::from(!c.metadata.is_empty());
        }
        s
    }

    /// `3 changed requirements: 1 added, 2 modified (1 strengthened)`.
    pub fn sentence(&self) -> String {
        let mut kinds = Vec::new();
        for (n, name) in [
            (self.added, "added"),
            (self.removed, "removed"),
            (self.withdrawn, "withdrawn"),
            (self.renamed, "renamed"),
            (self.modified, "modified"),
            (self.moved, "moved"),
        ] {
            if n > 0 {
                kinds.push(format!("{n} {name}"));
            }
        }
        let mut detail = Vec::new();
        for (n, name) in [
            (self.strengthened, "strengthened"),
            (self.weakened, "weakened"),
            (self.substantive, "reworded"),
            (self.editorial, "editorial only"),
            (self.metadata, "metadata"),
        ] {
            if n > 0 {
                detail.push(format!("{n} {name}"));
            }
        }
        let mut out = format!(
            "{} changed requirement{}",
            self.changes,
            if self.changes == 1 { "" } else { "s" }
        );
        if !kinds.is_empty() {
            out.push_str(": ");
            out.push_str(&kinds.join(", "));
        }
        if !detail.is_empty() {
            out.push_str(&format!(" ({})", detail.join(", ")));
        }
        if self.statements > 0 {
            out.push_str(&format!(
                "; {} changed statement{} outside requirements",
                self.statements,
                if self.statements == 1 { "" } else { "s" }
            ));
        }
        if self.hidden + self.statements_hidden > 0 {
            out.push_str(&format!(
                "; {} hidden by the lens",
                self.hidden + self.statements_hidden
            ));
        }
        out.push_str(&format!("; {} unchanged", self.unchanged));
        out
    }
}

impl DiffReport {
    /// Compares two catalogues and applies `lens`. Problems ignore the lens.
    pub fn new(old: SideInfo, new: SideInfo, comparison: Comparison, lens: Lens) -> Self {
        let Comparison {
            changes,
            statements,
            mut problems,
            unchanged,
        } = comparison;
        for (side, name) in [(&old, "old"), (&new, "new")] {
            if side.errors > 0 {
                problems.push(Problem {
                    code: ProblemCode::SpecErrors,
                    id: None,
                    message: format!(
                        "the {name} side ({}) has {} spec error{}",
                        side.label,
                        side.errors,
                        if side.errors == 1 { "" } else { "s" }
                    ),
                    help:
                        "run `specbook check` on it and fix the errors; the diff may be incomplete"
                            .into(),
                });
            }
        }
        let total = changes.len();
        let total_statements = statements.len();
        let changes: Vec<Change> = changes.into_iter().filter(|c| lens.matches(c)).collect();
        let statements: Vec<StatementChange> = statements
            .into_iter()
            .filter(|s| lens.matches_statement(s))
            .collect();
        let mut summary = Summary::count(&changes, &statements);
        summary.hidden = total - changes.len();
        summary.statements_hidden = total_statements - statements.len();
        summary.unchanged = unchanged;
        Self {
            schema: format!("{}diff.schema.json", crate::schema::SCHEMA_BASE),
            diff_version: DIFF_VERSION,
            old,
            new,
            lens,
            summary,
            changes,
            statements,
            problems,
        }
    }

    /// Whether the diff fails: an ID was lost or a side has spec errors.
    pub fn failed(&self) -> bool {
        !self.problems.is_empty()
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        crate::schema::to_pretty(&serde_json::to_value(self).unwrap_or(Value::Null))
    }
}

/// Whether [`visible`] shows `c` as a code point: a control character, a bidirectional
/// override or mark, or a zero-width character.
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// Makes invisible or terminal-controlling characters visible: control characters, bidirectional
/// overrides and zero-width characters become `<U+202E>`; line breaks and tabs become spaces.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if hidden(c) => out.push_str(&format!("<U+{:04X}>", u32::from(c))),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The report with every string passed through [`visible`], for the human renderers; the
/// report itself when no string has anything to show, as in most reports.
pub(crate) fn visible_report(report: &DiffReport) -> std::borrow::Cow<'_, DiffReport> {
    fn walk(v: &mut Value) {
        match v {
            Value::String(s) => {
                if let std::borrow::Cow::Owned(o) = visible(s) {
                    *s = o;
                }
            }
            Value::Array(a) => a.iter_mut().for_each(walk),
            Value::Object(m) => m.values_mut().for_each(walk),
            _ => {}
        }
    }
    if serde_json::to_string(report).is_ok_and(|json| !json_shows_hidden(&json)) {
        return std::borrow::Cow::Borrowed(report);
    }
    let Ok(mut value) = serde_json::to_value(report) else {
        return std::borrow::Cow::Owned(report.clone());
    };
    walk(&mut value);
    std::borrow::Cow::Owned(serde_json::from_value(value).unwrap_or_else(|_| report.clone()))
}

/// Whether a string in compact JSON from serde_json holds a character [`visible`] would show.
/// serde_json writes every control character below U+0020 as an escape (`\n`, `\u001b`) and
/// every other character as itself; the only other escapes are `\"` and `\\`.
fn json_shows_hidden(json: &str) -> bool {
    let mut chars = json.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if !matches!(chars.next(), Some('"' | '\\')) {
                return true;
            }
        } else if hidden(c) {
            return true;
        }
    }
    false
}

/// Compares two catalogues without a lens, labelling the sides `old` and `new`.
pub fn diff_catalogues(old: &Catalogue, new: &Catalogue) -> DiffReport {
    DiffReport::new(
        SideInfo::of("old", SideKind::Catalogue, old),
        SideInfo::of("new", SideKind::Catalogue, new),
        compare(old, new),
        Lens::default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_become_visible() {
        assert_eq!(visible("plain"), "plain");
        assert_eq!(
            visible("a\u{202E}b\u{1b}[31m\nc\u{200B}"),
            "a<U+202E>b<U+001B>[31m c<U+200B>"
        );
    }

    #[test]
    fn the_json_scan_finds_what_visible_would_show() {
        for (text, shown) in [
            ("plain \"quoted\" back\\slash/", false),
            ("é ünïcode →", false),
            ("line\nbreak", true),
            ("tab\there", true),
            ("escape \u{1b}[31m", true),
            ("delete \u{7f}", true),
            ("c1 \u{85}", true),
            ("bidi \u{202E}", true),
            ("zero width \u{200B}", true),
            ("byte order \u{FEFF}", true),
        ] {
            let json = serde_json::to_string(&serde_json::json!({ "k": [text] }))
                .expect("a JSON value serialises");
            assert_eq!(json_shows_hidden(&json), shown, "{text:?} as {json}");
            assert_eq!(
                matches!(visible(text), std::borrow::Cow::Owned(_)),
                shown,
                "{text:?}"
            );
        }
    }
}
