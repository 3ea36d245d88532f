//! The one diagnostic type, its stable codes, and sorting/counting; renderers live in `diag_render`.

use crate::source::FileId;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// How serious a diagnostic is. Errors fail a build; warnings fail it only with `--deny-warnings`.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The spec is wrong; the build fails.
    Error,
    /// Probably wrong; fails only with `--deny-warnings`.
    Warning,
    /// Worth knowing; never fails.
    Note,
}

impl Severity {
    /// Lower-case name as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

macro_rules! codes {
    ($($variant:ident = $code:literal, $name:literal, $sev:ident, $doc:literal;)*) => {
        /// Stable diagnostic codes. A code is never reused for another meaning.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $(#[doc = $doc] $variant,)* }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];
            /// The stable code, e.g. `SB020`.
            pub fn as_str(self) -> &'static str { match self { $(Code::$variant => $code,)* } }
            /// The stable kebab-case name, e.g. `duplicate-id`.
            pub fn name(self) -> &'static str { match self { $(Code::$variant => $name,)* } }
            /// The severity this code is reported with.
            pub fn severity(self) -> Severity { match self { $(Code::$variant => Severity::$sev,)* } }
            /// One line saying what the code means.
            pub fn summary(self) -> &'static str { match self { $(Code::$variant => $doc,)* } }
        }
    };
}

codes! {
    Io = "SB001", "unreadable-file", Error, "A file could not be read.";
    NotUtf8 = "SB002", "not-utf8", Error, "A file is not valid UTF-8.";
    TooLarge = "SB003", "file-too-large", Error, "A file exceeds the configured size limit.";
    OutsideRoot = "SB004", "path-outside-root", Error, "A path or symlink leads outside the spec folder.";
    TooDeep = "SB005", "nesting-too-deep", Error, "Markdown nesting exceeds the configured depth limit.";
    ConfigInvalid = "SB010", "invalid-config", Error, "`specbook.toml` is not valid TOML or does not match its schema.";
    FrontMatterInvalid = "SB011", "invalid-front-matter", Error, "Chapter front matter is not valid TOML or YAML.";
    ReqBlockInvalid = "SB012", "invalid-req-block", Error, "A `req` metadata block is not valid TOML.";
    ReqBlockUnterminated = "SB013", "unterminated-req-block", Error, "A `req` metadata block has no closing fence.";
    MetadataSchema = "SB014", "metadata-schema", Error, "Requirement metadata does not match the requirement schema.";
    RegistryInvalid = "SB015", "invalid-registry", Error, "A policy or framework registry file is not valid TOML or does not match its schema.";
    DuplicateId = "SB020", "duplicate-id", Error, "Two requirements or registry entries share an ID, or two footnotes of a chapter share a label.";
    MalformedId = "SB021", "malformed-id", Error, "An ID does not match the configured ID pattern.";
    UnknownReference = "SB022", "unknown-reference", Error, "A reference names no requirement, policy document or framework item.";
    WithdrawnReference = "SB023", "withdrawn-reference", Warning, "A reference points at a withdrawn requirement.";
    UnknownSource = "SB024", "unknown-source", Error, "A cited foundation, document or section is not in the policy registry.";
    UnknownFrameworkItem = "SB025", "unknown-framework-item", Error, "A mapped framework item is not in any framework registry.";
    MissingKeyword = "SB030", "missing-keyword", Error, "A requirement has no BCP 14 keyword.";
    NonstandardKeyword = "SB031", "nonstandard-keyword", Error, "A capitalised phrase looks normative but is not a BCP 14 keyword.";
    LowercaseKeyword = "SB032", "lowercase-keyword", Warning, "A requirement statement uses must/should/may in lower case.";
    UnidentifiedStatement = "SB033", "unidentified-statement", Warning, "A normative sentence stands outside any requirement.";
    RawHtml = "SB034", "raw-html", Error, "Raw HTML in Markdown is not allowed.";
    UnsafeLink = "SB035", "unsafe-link", Error, "A link uses a scheme outside the allow-list (http, https, mailto, relative).";
    MissingTitle = "SB036", "missing-chapter-title", Warning, "A chapter has no `#` heading to take its title from.";
    DanglingLink = "SB037", "dangling-link", Error, "A link to a chapter file or anchor points nowhere.";
    InvisibleCharacter = "SB038", "invisible-character", Error, "Source text contains a bidirectional-control or zero-width character that can hide what it says.";
    UncoveredItem = "SB040", "uncovered-framework-item", Warning, "An in-scope framework item is mapped by no requirement.";
    NoSource = "SB041", "requirement-without-source", Warning, "A requirement cites no foundation policy document.";
    UncitedDocument = "SB042", "uncited-document", Note, "A registry document is cited by no requirement.";
    TemplateError = "SB050", "template-error", Error, "A site template failed to parse or render, or a chapter, ID or registry id cannot become a page or element of the site.";
}

/// A labelled byte range in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// The file.
    pub file: FileId,
    /// Byte range in the file's text.
    pub span: Range<usize>,
    /// What this place is (may be empty for the primary label).
    pub message: String,
}

/// One problem found in a spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code.
    pub code: Code,
    /// Severity (from the code).
    pub severity: Severity,
    /// One-line message.
    pub message: String,
    /// Where it is.
    pub primary: Label,
    /// Other places that explain it (e.g. the first definition of a duplicate ID).
    pub secondary: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at `span` of `file` with the code's severity.
    pub fn new(code: Code, file: FileId, span: Range<usize>, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: code.severity(),
            message: message.into(),
            primary: Label {
                file,
                span,
                message: String::new(),
            },
            secondary: Vec::new(),
            help: None,
        }
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Labels the primary span.
    pub fn with_label(mut self, message: impl Into<String>) -> Self {
        self.primary.message = message.into();
        self
    }

    /// Adds a secondary label.
    pub fn with_secondary(
        mut self,
        file: FileId,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        self.secondary.push(Label {
            file,
            span,
            message: message.into(),
        });
        self
    }
}

/// Counts of diagnostics by severity.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct DiagnosticCounts {
    /// Number of errors.
    pub errors: usize,
    /// Number of warnings.
    pub warnings: usize,
    /// Number of notes.
    pub notes: usize,
}

impl DiagnosticCounts {
    /// Counts a list of diagnostics.
    pub fn of(diags: &[Diagnostic]) -> Self {
        let mut c = Self::default();
        for d in diags {
            match d.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Note => c.notes += 1,
            }
        }
        c
    }
}

/// Sorts diagnostics by file order, position, then code, and drops exact duplicates.
pub fn sort(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| {
        (a.primary.file, a.primary.span.start, a.code, &a.message).cmp(&(
            b.primary.file,
            b.primary.span.start,
            b.code,
            &b.message,
        ))
    });
    diags.dedup();
}

/// Edit-distance suggestion for a "did you mean" hint: the closest candidate within
/// one edit per six characters (at least one), ties broken by name.
pub fn did_you_mean<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let wanted_l = wanted.to_lowercase();
    let limit = (wanted.chars().count() / 6).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&wanted_l, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::BTreeSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "duplicate {}", c.as_str());
            assert!(c.as_str().starts_with("SB") && c.as_str().len() == 5);
        }
    }

    #[test]
    fn did_you_mean_finds_close_names() {
        assert_eq!(
            did_you_mean("SDP-VH-10", ["SDP-VH-01", "XYZ"]),
            Some("SDP-VH-01")
        );
        assert_eq!(did_you_mean("apche", ["python", "apache"]), Some("apache"));
        assert_eq!(did_you_mean("SDP-UI-01", ["SDP-AD-01"]), None);
        assert_eq!(did_you_mean("zzz", ["python"]), None);
    }
}
