//! Stage 5, assemble: the linked model → [`Catalogue`] (plain text, HTML, content hashes,
//! coverage). Also the [`Resolver`] that turns references into site URLs.

use crate::catalogue::{
    CATALOGUE_VERSION, Catalogue, ChapterInfo, RequirementEntry, SourceLocation, SpecInfo,
    UnidentifiedStatement,
};
use crate::config::Config;
use crate::coverage;
use crate::diag::DiagnosticCounts;
use crate::html::{self, Resolve};
use crate::link::{Linked, Resolved, ResolvedChapter};
use crate::meta::{MappingSource, ReqStatus};
use crate::model::{Chapter, Requirement};
use crate::registries::Registry;
use crate::source::SourceMap;
use crate::urls::{self, ChapterLink};
use regex::Regex;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::ops::Range;

/// The folder of the requirements' permanent pages, relative to the site root.
pub(crate) const REQUIREMENT_FOLDER: &str = "req/";

/// The folder of the organisations' pages, relative to the site root.
pub(crate) const ORGANISATION_FOLDER: &str = "org/";

/// Page path of a requirement's permanent page, relative to the site root.
pub fn permalink(id: &str) -> String {
    format!("{REQUIREMENT_FOLDER}{id}.html")
}

/// Page path of a chapter, relative to the site root.
pub fn chapter_page(slug: &str) -> String {
    format!("{slug}.html")
}

/// Resolves references for HTML rendering, relative to the site root.
pub struct Resolver<'a> {
    /// Chapters.
    pub chapters: &'a [Chapter],
    /// Registry.
    pub registry: &'a Registry,
    /// Linked IDs.
    pub linked: &'a Linked,
    /// Slug of the chapter being rendered (for `#anchor` links).
    pub current: &'a str,
}

impl Resolve for Resolver<'_> {
    fn reference(&self, target: &str) -> Option<(String, String)> {
        if let Some((path, section)) = target.split_once('/') {
            let (doc, anchor) = match section.split_once('#') {
                Some((d, a)) => (d, Some(a)),
                None => (section, None),
            };
            let (_, d) = self.registry.document(path, doc)?;
            let base = d.url.split('#').next().unwrap_or(&d.url);
            let url = match anchor {
                Some(a) => format!("{base}#{a}"),
                None => d.url.clone(),
            };
            return Some((url, d.title.clone()));
        }
        if let Some((_, item)) = self.registry.item(target) {
            // The official text when the registry names one (and its scheme is allowed), else
            // the item's row on the coverage page, as the requirement pages link it.
            let url = match item.url.as_deref() {
                Some(u) => urls::external(u).to_string(),
                None => format!("coverage.html#{}", urls::component(target)),
            };
            return Some((url, item.reference.clone()));
        }
        let &(c, r) = self.linked.ids.get(target)?;
        Some((
            permalink(target),
            self.chapters[c].requirements[r].title.clone(),
        ))
    }

    fn chapter_link(&self, target: &str) -> Option<String> {
        let link = ChapterLink::parse(target);
        let slug = if link.file.is_empty() {
            self.current
        } else {
            link.file.strip_suffix(".md")?
        };
        let ch = self.chapters.iter().find(|c| c.slug == slug)?;
        let mut url = urls::component(&chapter_page(&ch.slug));
        if let Some(a) = link.anchor {
            url.push('#');
            urls::push_component(&mut url, &a);
        }
        Some(url)
    }
}

/// Converts days since 1970-01-01 to a civil `YYYY-MM-DD` (proleptic Gregorian).
pub fn date_from_epoch(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// How much of each catalogue entry [`assemble`] computes. The plain text, metadata, links and
/// coverage are always there; the rest costs a Markdown render and a SHA-256 per requirement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Detail {
    /// Everything the published outputs need: rendered HTML and content hashes.
    #[default]
    Publish,
    /// The text, keywords, sections and source places, but neither HTML nor content hashes:
    /// what comparing two versions needs (`diff`). The diff compares the fields themselves and
    /// hashes only the requirements it reports, with [`crate::pipeline::Checked::content_hash`].
    Compare,
    /// Only what diagnostics and coverage need (`check`, `coverage`): each entry's ID, title,
    /// status, strength, chapter and resolved links. The text fields (`statement`,
    /// `statement_html`, `section`, `keywords`, `content_hash`, the source file) are empty, the
    /// rationale is `None` and the source line is 0; such a catalogue is never published.
    Diagnose,
}

/// Builds the catalogue, with as much of each entry as `detail` asks for.
#[allow(clippy::too_many_arguments)]
pub fn assemble(
    detail: Detail,
    config: &Config,
    source_date_epoch: Option<i64>,
    sources: &SourceMap,
    chapters: &[Chapter],
    registry: &Registry,
    linked: &Linked,
    resolved: Resolved,
    id_pattern: &Regex,
    counts: DiagnosticCounts,
) -> Catalogue {
    let spec = SpecInfo {
        id: config.spec_id(),
        title: config.title.clone(),
        version: config.version.clone(),
        status: config.status,
        date: config
            .date
            .clone()
            .or_else(|| source_date_epoch.map(date_from_epoch)),
        editors: config.editors.clone(),
        licence: config.licence.clone(),
        base_url: config.base_url.clone(),
        abstract_: config.abstract_.clone(),
    };
    // Chapters are independent here, so they are assembled in parallel and concatenated in
    // reading order. Each takes its resolved links, to move them into its entries.
    let mut links = resolved.chapters;
    links.resize_with(chapters.len(), ResolvedChapter::default);
    let parts: Vec<AssembledChapter> = {
        use rayon::prelude::*;
        chapters
            .par_iter()
            .zip(links)
            .enumerate()
            .map(|(ci, (ch, links))| {
                assemble_chapter(
                    detail, ci, ch, links, sources, chapters, registry, linked, id_pattern,
                )
            })
            .collect()
    };
    let mut requirements = Vec::with_capacity(parts.iter().map(|p| p.requirements.len()).sum());
    let mut infos = Vec::with_capacity(parts.len());
    let mut unidentified = Vec::new();
    for part in parts {
        requirements.extend(part.requirements);
        unidentified.extend(part.unidentified);
        infos.push(part.info);
    }
    let coverage = coverage::compute(&requirements, registry);
    Catalogue {
        schema: format!("{}catalogue.schema.json", crate::schema::SCHEMA_BASE),
        catalogue_version: CATALOGUE_VERSION,
        spec,
        chapters: infos,
        requirements,
        unidentified,
        organisations: registry.organisations.clone(),
        frameworks: registry.frameworks.clone(),
        coverage,
        diagnostics: counts,
    }
}

/// What a requirement's content hash covers, serialised as compact JSON in this field order.
#[derive(Serialize)]
struct Hashed<'a> {
    title: &'a str,
    statement: &'a str,
    rationale: &'a Option<String>,
    status: ReqStatus,
    since: &'a Option<String>,
    replaces: &'a [String],
    related: &'a [String],
    sources: &'a [MappingSource],
    cra: &'a [MappingSource],
    extra: &'a BTreeMap<String, serde_json::Value>,
    /// Left out when empty, so that the hash of a requirement without links is what it was
    /// before links counted.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    links: &'a [String],
}

/// `sha256:` and the hex SHA-256 of the requirement's [`Hashed`] JSON. The JSON is written
/// into one buffer and hashed in one call, not fed to the hasher token by token.
pub(crate) fn content_hash(r: &Requirement) -> String {
    let hashed = Hashed {
        title: &r.title,
        statement: &r.statement,
        rationale: &r.rationale,
        status: r.meta.status,
        since: &r.meta.since,
        replaces: r.meta.replaces.as_slice(),
        related: &r.meta.related,
        sources: &r.meta.sources,
        cra: &r.meta.cra,
        extra: &r.extra,
        links: &r.links,
    };
    let mut json = Vec::with_capacity(
        256 + r.title.len() + r.statement.len() + r.rationale.as_ref().map_or(0, String::len),
    );
    // Writing into a vector cannot fail, and these values always serialise.
    let _ = serde_json::to_writer(&mut json, &hashed);
    format!("sha256:{}", hex::encode(Sha256::digest(&json)))
}

/// One chapter's share of the catalogue.
struct AssembledChapter {
    requirements: Vec<RequirementEntry>,
    unidentified: Vec<UnidentifiedStatement>,
    info: ChapterInfo,
}

#[allow(clippy::too_many_arguments)]
fn assemble_chapter(
    detail: Detail,
    ci: usize,
    ch: &Chapter,
    mut links: ResolvedChapter,
    sources: &SourceMap,
    chapters: &[Chapter],
    registry: &Registry,
    linked: &Linked,
    id_pattern: &Regex,
) -> AssembledChapter {
    let mut requirements = Vec::with_capacity(ch.requirements.len());
    let mut unidentified = Vec::new();
    let file = sources.get(ch.file);
    let resolver = Resolver {
        chapters,
        registry,
        linked,
        current: &ch.slug,
    };
    let full = detail != Detail::Diagnose;
    let definitions = if detail == Detail::Publish {
        ch.definitions_text(&file.text)
    } else {
        String::new()
    };
    let location = |offset: usize| {
        if !full {
            return SourceLocation::default();
        }
        let (line, column) = file.line_col(offset);
        SourceLocation {
            file: file.path.clone(),
            line,
            column,
        }
    };
    for (ri, r) in ch.requirements.iter().enumerate() {
        let pos = (ci, ri);
        if linked.ids.get(&r.id) != Some(&pos) {
            continue; // a duplicate; reported by link
        }
        let sources_ = links
            .sources
            .get_mut(ri)
            .map(std::mem::take)
            .unwrap_or_default();
        let frameworks = links
            .frameworks
            .get_mut(ri)
            .map(std::mem::take)
            .unwrap_or_default();
        let mut organisations: Vec<String> = sources_
            .iter()
            .map(|s| s.organisation.to_string())
            .collect();
        organisations.sort();
        organisations.dedup();
        let (statement_html, rationale_html) = if detail == Detail::Publish {
            let in_chapter = |span: Range<usize>, strip_label: bool| {
                html::render_in_chapter(
                    &file.text[span],
                    &definitions,
                    id_pattern,
                    &resolver,
                    "",
                    strip_label,
                )
            };
            (
                in_chapter(r.statement_span.clone(), false),
                r.rationale_span.clone().map(|s| in_chapter(s, true)),
            )
        } else {
            (String::new(), None)
        };
        let content_hash = if detail == Detail::Publish {
            content_hash(r)
        } else {
            String::new()
        };
        requirements.push(RequirementEntry {
            id: r.id.clone(),
            title: r.title.clone(),
            strength: r.strength,
            keywords: if full { r.keywords.clone() } else { Vec::new() },
            statement: if full {
                r.statement.clone()
            } else {
                String::new()
            },
            statement_html,
            rationale: if full { r.rationale.clone() } else { None },
            rationale_html,
            chapter: ch.slug.clone(),
            section: if full { r.section.clone() } else { Vec::new() },
            permalink: permalink(&r.id),
            source: location(r.heading_span.start),
            status: r.meta.status,
            since: r.meta.since.clone(),
            replaces: r.meta.replaces.to_vec(),
            related: r.meta.related.clone(),
            links: Some(r.links.clone()),
            sources: sources_,
            frameworks,
            organisations,
            extra: r.extra.clone(),
            content_hash,
        });
    }
    for s in &ch.unidentified {
        unidentified.push(UnidentifiedStatement {
            text: s.text.clone(),
            keywords: s.keywords.clone(),
            strength: s.strength,
            chapter: ch.slug.clone(),
            section: s.section.clone(),
            source: location(s.span.start),
        });
    }
    let info = ChapterInfo {
        slug: ch.slug.clone(),
        title: ch.title.clone(),
        file: file.path.clone(),
        path: chapter_page(&ch.slug),
        front_matter: ch.front_matter.clone(),
        requirements: ch.requirements.iter().map(|r| r.id.clone()).collect(),
    };
    AssembledChapter {
        requirements,
        unidentified,
        info,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(date_from_epoch(0), "1970-01-01");
        assert_eq!(date_from_epoch(951_782_400), "2000-02-29");
        assert_eq!(date_from_epoch(1_795_305_600), "2026-11-22");
    }
}
