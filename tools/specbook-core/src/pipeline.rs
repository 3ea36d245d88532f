//! The pipeline: load → parse → registries → link → assemble, each stage's diagnostics
//! collected, sorted and counted. `check` runs it; `build` also renders and writes the output.

use crate::assemble;
pub use crate::assemble::Detail;
use crate::catalogue::Catalogue;
use crate::diag::{self, Code, Diagnostic, DiagnosticCounts, Severity};
use crate::link::{self, Linked};
use crate::load::{self, LoadError, Loaded};
use crate::meta;
use crate::model::Chapter;
use crate::parse;
use crate::registries::{self, Registry};
use crate::toml_json;
use regex::Regex;
use std::path::Path;

/// Inputs from the environment, passed in explicitly (the library reads no environment).
#[derive(Clone, Debug, Default)]
pub struct Env {
    /// `SOURCE_DATE_EPOCH`, used for the date when the config sets none.
    pub source_date_epoch: Option<i64>,
}

/// Everything the pipeline learned about a spec.
#[derive(Debug)]
pub struct Checked {
    /// Loaded sources and config.
    pub loaded: Loaded,
    /// Parsed chapters.
    pub chapters: Vec<Chapter>,
    /// Registries.
    pub registry: Registry,
    /// Resolved links.
    pub linked: Linked,
    /// The compiled ID pattern.
    pub id_pattern: Regex,
    /// The catalogue.
    pub catalogue: Catalogue,
    /// Every diagnostic, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// The environment the pipeline ran with.
    pub env: Env,
    /// How much of the catalogue was computed; only [`Detail::Publish`] may be published.
    pub detail: Detail,
}

impl Checked {
    /// The content hash of requirement `id`, as the published catalogue gives it (`sha256:` and
    /// hex). Only [`Detail::Publish`] puts the hashes into the catalogue; this makes one for a
    /// catalogue checked with less. `None` when no requirement has the ID.
    pub fn content_hash(&self, id: &str) -> Option<String> {
        let &(c, r) = self.linked.ids.get(id)?;
        let requirement = self.chapters.get(c)?.requirements.get(r)?;
        Some(assemble::content_hash(requirement))
    }

    /// Whether the result fails: any error, or any warning when `deny_warnings`.
    pub fn failed(&self, deny_warnings: bool) -> bool {
        self.diagnostics.iter().any(|d| {
            d.severity == Severity::Error || (deny_warnings && d.severity == Severity::Warning)
        })
    }
}

/// Runs every stage on the spec folder at `root`, with a catalogue complete enough to publish.
pub fn check(root: &Path, env: &Env) -> Result<Checked, LoadError> {
    check_with(root, env, Detail::Publish)
}

/// Runs every stage on the spec folder at `root`; `detail` says how much of the catalogue to
/// compute (the diagnostics are the same at every level).
pub fn check_with(root: &Path, env: &Env, detail: Detail) -> Result<Checked, LoadError> {
    let (loaded, mut diags) = load::load(root)?;
    let config = &loaded.config;
    let id_pattern = Regex::new(config.id_pattern()).unwrap_or_else(|_| {
        Regex::new(crate::config::DEFAULT_ID_PATTERN).expect("default pattern")
    });
    let meta_validator = toml_json::compile(&meta::schema_for(config))
        .or_else(|_| toml_json::compile(&meta::base_schema()))
        .expect("base schema compiles");

    let parsed: Vec<(Chapter, Vec<Diagnostic>)> = {
        use rayon::prelude::*;
        loaded
            .chapters
            .par_iter()
            .map(|&file| {
                parse::parse_chapter(
                    file,
                    loaded.sources.get(file),
                    config,
                    &id_pattern,
                    &meta_validator,
                )
            })
            .collect()
    };
    let mut chapters = Vec::with_capacity(parsed.len());
    for (ch, d) in parsed {
        chapters.push(ch);
        diags.extend(d);
    }
    let (registry, d) = registries::load(&loaded.sources, &loaded.policies, &loaded.frameworks);
    diags.extend(d);
    let (linked, resolved, d) = link::link(
        &loaded.sources,
        &chapters,
        &registry,
        &id_pattern,
        config.id_pattern(),
    );
    diags.extend(d);

    let mut catalogue = assemble::assemble(
        detail,
        config,
        env.source_date_epoch,
        &loaded.sources,
        &chapters,
        &registry,
        &linked,
        resolved,
        &id_pattern,
        Default::default(),
    );
    diags.extend(coverage_diagnostics(
        &catalogue,
        &chapters,
        &registry,
        &linked,
        !loaded.policies.is_empty(),
    ));
    diag::sort(&mut diags);
    catalogue.diagnostics = DiagnosticCounts::of(&diags);
    Ok(Checked {
        loaded,
        chapters,
        registry,
        linked,
        id_pattern,
        catalogue,
        diagnostics: diags,
        env: env.clone(),
        detail,
    })
}

fn coverage_diagnostics(
    catalogue: &Catalogue,
    chapters: &[Chapter],
    registry: &Registry,
    linked: &Linked,
    has_policies: bool,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let summary = &catalogue.coverage.summary;
    for id in &summary.uncovered_items {
        if let Some((file, span)) = registry.item_places.get(id) {
            diags.push(
                Diagnostic::new(Code::UncoveredItem, *file, span.clone(), format!("in-scope item `{id}` is mapped by no requirement"))
                    .with_help("map a requirement to it with `cra = [\"…\"]`, or set `scope = \"out\"` with a `reason`"),
            );
        }
    }
    if has_policies {
        for id in &summary.requirements_without_source {
            if let Some(&(c, r)) = linked.ids.get(id)
                && chapters[c].requirements[r].meta.sources.is_empty()
            {
                let req = &chapters[c].requirements[r];
                diags.push(
                    Diagnostic::new(Code::NoSource, chapters[c].file, req.id_span.clone(), format!("requirement `{id}` cites no policy document"))
                        .with_help("add `sources = [\"organisation/document\"]` naming the foundation practice it is drawn from"),
                );
            }
        }
    }
    for key in &summary.uncited_documents {
        if let Some((file, span)) = registry.doc_places.get(key) {
            diags.push(
                Diagnostic::new(
                    Code::UncitedDocument,
                    *file,
                    span.clone(),
                    format!("document `{key}` is cited by no requirement"),
                )
                .with_help(
                    "cite it from a requirement's `sources`, or remove it from the registry",
                ),
            );
        }
    }
    diags
}
