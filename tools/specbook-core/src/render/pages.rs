//! The pages of the site and what each template sees: the catalogue's own types
//! (`RequirementEntry`, `Organisation`, `ItemCoverage` …) wrapped with the HTML rendered from
//! the Markdown sources, resolved titles and the grids of the coverage pages.

use super::markdown::ChapterText;
use super::{Place, Problem};
use crate::assemble::{self, Resolver};
use crate::bcp14::Strength;
use crate::catalogue::{ChapterInfo, PolicyLink, RequirementEntry};
use crate::coverage::{ItemCoverage, OrganisationCoverage};
use crate::diag::Code;
use crate::html;
use crate::meta::{Relationship, ReqStatus};
use crate::model::Requirement;
use crate::pipeline::Checked;
use crate::registry::{Document, ItemKind, Organisation, Scope};
use crate::release::ReleaseContext;
use crate::source::FileId;
use crate::urls;
use foldhash::{HashMap, HashMapExt};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use tera::{Context, Value};

/// Element ids the built-in templates use; prose headings never take them.
pub(crate) const TEMPLATE_IDS: &[&str] = &[
    "sb-main",
    "sb-title",
    "sb-nav",
    "sb-q",
    "sb-results",
    "sb-status",
    "sb-filters",
    "sb-reqs",
    "sb-count",
    "sb-downloads",
    "sb-toc",
    "sb-grid",
    "sb-gaps",
];

/// Pages the site itself publishes at the root; no chapter may take their names.
pub(crate) const RESERVED: &[&str] = &[
    "index.html",
    "requirements.html",
    "coverage.html",
    "organisations.html",
    "search.html",
];

/// A page rendered and handed to the sink (or why not).
pub(crate) struct Rendered {
    /// Path relative to the site root.
    pub(crate) path: String,
    /// Template name.
    pub(crate) template: &'static str,
    /// Whether it was rendered and written.
    pub(crate) result: Result<(), PageError>,
}

/// Why a page is missing from the output.
pub(crate) enum PageError {
    /// The template failed.
    Template(tera::Error),
    /// The sink failed.
    Io(std::io::Error),
}

/// Renders one page with the engine and hands it to the sink.
pub(crate) type Render<'r> = &'r (dyn Fn(&Page) -> Result<(), PageError> + Sync);

/// One page to render.
pub(crate) struct Page {
    /// Path relative to the site root (not URL-encoded: the file name on disk).
    pub(crate) path: String,
    /// Template name.
    pub(crate) template: &'static str,
    /// What the template sees besides the global context.
    pub(crate) context: Context,
}

#[derive(Serialize)]
struct PageInfo<'a> {
    /// Path relative to the site root.
    path: &'a str,
    /// `index`, `chapter`, `requirement`, `moved`, `requirements`, `coverage`,
    /// `organisations`, `organisation` or `search`.
    kind: &'static str,
    /// Title for `<title>` and the heading.
    title: &'a str,
}

/// A requirement named somewhere (related, citing, a grid row), with what a link needs.
#[derive(Serialize, Clone)]
struct RefView<'a> {
    id: &'a str,
    title: &'a str,
    strength: Strength,
    status: ReqStatus,
    chapter: &'a str,
    /// Whether a page exists for it.
    exists: bool,
}

#[derive(Serialize)]
struct SourceView<'a> {
    #[serde(flatten)]
    link: &'a PolicyLink,
    organisation_name: &'a str,
}

/// A requirement as a chapter page or its permanent page shows it.
#[derive(Serialize)]
struct ReqView<'a> {
    /// The catalogue entry (`RequirementEntry`), as a tera value made once for both pages
    /// that show it: its chapter's page and its own.
    req: Value,
    /// Heading level in the chapter (2–6).
    level: u8,
    /// The statement (the body up to the rationale), rendered for this page.
    statement_html: String,
    /// The rationale and what follows it, rendered for this page.
    rationale_html: Option<String>,
    /// Its chapter (`ChapterInfo`), as a tera value made once per build: every requirement
    /// page shows it, and tera shares a value's maps and lists between its copies.
    chapter: Value,
    related: Vec<RefView<'a>>,
    sources: Vec<SourceView<'a>>,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Segment<'a> {
    Prose { html: String },
    Requirement(Box<ReqView<'a>>),
}

#[derive(Serialize)]
struct Download {
    path: String,
    label: String,
    /// Human-readable size, e.g. `12.5 KiB`.
    size: Option<String>,
}

fn human_size(bytes: usize) -> String {
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// Everything the pages share, built once.
struct Shared<'a> {
    checked: &'a Checked,
    by_id: HashMap<&'a str, &'a RequirementEntry>,
    chapter_of: HashMap<&'a str, &'a ChapterInfo>,
    /// Each chapter (`ChapterInfo`) as a tera value, made once: every requirement page shows it.
    chapter_values: HashMap<&'a str, Value>,
    org_names: BTreeMap<&'a str, &'a str>,
    /// ID → the requirements listing it as related.
    related_from: HashMap<&'a str, Vec<&'a str>>,
    texts: Vec<ChapterText<'a>>,
}

impl<'a> Shared<'a> {
    fn reference(&self, id: &'a str) -> RefView<'a> {
        match self.by_id.get(id) {
            Some(r) => RefView {
                id: &r.id,
                title: &r.title,
                strength: r.strength,
                status: r.status,
                chapter: &r.chapter,
                exists: true,
            },
            None => RefView {
                id,
                title: "",
                strength: Strength::None,
                status: ReqStatus::Withdrawn,
                chapter: "",
                exists: false,
            },
        }
    }

    /// The model requirement and its chapter index behind a catalogue entry.
    fn model(&self, id: &str) -> Option<(usize, &'a Requirement)> {
        let &(c, r) = self.checked.linked.ids.get(id)?;
        Some((c, self.checked.chapters.get(c)?.requirements.get(r)?))
    }

    fn view(&self, entry: &'a RequirementEntry, req: Value, prefix: &str) -> ReqView<'a> {
        let (statement_html, rationale_html, level) = match self.model(&entry.id) {
            Some((c, r)) => {
                let ch = &self.checked.chapters[c];
                let text = &self.checked.loaded.sources.get(ch.file).text;
                let resolver = Resolver {
                    chapters: &self.checked.chapters,
                    registry: &self.checked.registry,
                    linked: &self.checked.linked,
                    current: &ch.slug,
                };
                let body = r.body_span.clone();
                let split = r.rationale_span.as_ref().map(|s| {
                    let line = text[..s.start.min(text.len())]
                        .rfind('\n')
                        .map_or(0, |i| i + 1);
                    line.clamp(body.start, body.end)
                });
                let ct = &self.texts[c];
                let pattern = &self.checked.id_pattern;
                // The catalogue's HTML (made with `Publish`, for the site root) is the same
                // render of the same text (same resolver, definitions and label stripping)
                // whenever the range holds only the statement (or rationale) and no heading
                // splits it; `with_prefix` moves its links to a page below the root.
                let reusable = |range: &Range<usize>, span: Option<&Range<usize>>| {
                    self.checked.detail == assemble::Detail::Publish
                        && !ct.splits(range.clone())
                        && span.is_some_and(|span| {
                            text.get(range.clone()).map(str::trim)
                                == text.get(span.clone()).map(str::trim)
                        })
                };
                let statement_range = body.start..split.unwrap_or(body.end);
                let statement = if reusable(&statement_range, Some(&r.statement_span)) {
                    html::with_prefix(&entry.statement_html, prefix)
                } else {
                    ct.render(statement_range, pattern, &resolver, prefix, false)
                };
                let rationale = split.map(|s| match &entry.rationale_html {
                    Some(html) if reusable(&(s..body.end), r.rationale_span.as_ref()) => {
                        html::with_prefix(html, prefix)
                    }
                    _ => ct.render(s..body.end, pattern, &resolver, prefix, true),
                });
                (statement, rationale, r.level.clamp(2, 6))
            }
            None => (
                html::with_prefix(&entry.statement_html, prefix),
                entry
                    .rationale_html
                    .as_deref()
                    .map(|h| html::with_prefix(h, prefix)),
                3,
            ),
        };
        ReqView {
            req,
            level,
            statement_html,
            rationale_html,
            chapter: self
                .chapter_values
                .get(entry.chapter.as_str())
                .cloned()
                .unwrap_or_else(|| Value::from_serializable(&*EMPTY_CHAPTER)),
            related: entry.related.iter().map(|id| self.reference(id)).collect(),
            sources: entry
                .sources
                .iter()
                .map(|s| SourceView {
                    link: s,
                    organisation_name: self
                        .org_names
                        .get(&*s.organisation)
                        .copied()
                        .unwrap_or(&s.organisation),
                })
                .collect(),
        }
    }
}

static EMPTY_CHAPTER: std::sync::LazyLock<ChapterInfo> = std::sync::LazyLock::new(|| ChapterInfo {
    slug: String::new(),
    title: String::new(),
    file: String::new(),
    path: String::new(),
    front_matter: BTreeMap::new(),
    requirements: Vec::new(),
});

/// The global context every template sees: `spec`, `chapters`, `summary`, `downloads`,
/// `counts`, `permanent_base`, `generator` and `noindex` (false; the search page sets it).
pub(crate) fn global(checked: &Checked, published: &BTreeMap<String, usize>) -> Context {
    let cat = &checked.catalogue;
    let mut ctx = Context::new();
    ctx.insert("spec", &cat.spec);
    ctx.insert("chapters", &cat.chapters);
    ctx.insert("sidebar", &sidebar(&cat.chapters, None));
    ctx.insert("summary", &cat.coverage.summary);
    ctx.insert("noindex", &false);
    ctx.insert("downloads", &downloads(published));
    ctx.insert(
        "counts",
        &serde_json::json!({
            "chapters": cat.chapters.len(),
            "requirements": cat.requirements.len(),
            "organisations": cat.organisations.len(),
        }),
    );
    let base = cat
        .spec
        .base_url
        .as_deref()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .map(|u| {
            if u.ends_with('/') {
                u.to_string()
            } else {
                format!("{u}/")
            }
        });
    ctx.insert("permanent_base", &base);
    ctx.insert(
        "generator",
        &format!("specbook {}", env!("CARGO_PKG_VERSION")),
    );
    ctx
}

/// A spec with at most this many chapters lists them all in every page's sidebar.
const SIDEBAR_ALL_UP_TO: usize = 100;
/// A longer spec lists this many chapters before and after the current one (and says how many
/// more there are), so that each page's size does not grow with the number of chapters.
const SIDEBAR_RADIUS: usize = 20;

/// The chapters a sidebar lists.
#[derive(Serialize)]
struct Sidebar<'a> {
    chapters: &'a [ChapterInfo],
    /// 1-based number of the first one listed.
    start: usize,
    /// How many come before the first and after the last listed.
    before: usize,
    after: usize,
}

/// The sidebar's window on `all` around `current` (or from the start).
fn sidebar(all: &[ChapterInfo], current: Option<usize>) -> Sidebar<'_> {
    let (from, to) = if all.len() <= SIDEBAR_ALL_UP_TO {
        (0, all.len())
    } else {
        let c = current.unwrap_or(0);
        let from = c
            .saturating_sub(SIDEBAR_RADIUS)
            .min(all.len().saturating_sub(2 * SIDEBAR_RADIUS + 1));
        (from, (from + 2 * SIDEBAR_RADIUS + 1).min(all.len()))
    };
    Sidebar {
        chapters: &all[from..to],
        start: from + 1,
        before: from,
        after: all.len() - to,
    }
}

fn downloads(published: &BTreeMap<String, usize>) -> Vec<Download> {
    let mut out: Vec<Download> = published
        .iter()
        .map(|(path, &bytes)| {
            let label = match path.as_str() {
                "catalogue.json" => "Requirement catalogue (JSON)".to_string(),
                "oscal/catalog.json" => "OSCAL catalog (JSON)".to_string(),
                p => match p
                    .strip_prefix("schema/")
                    .and_then(|s| s.strip_suffix(".schema.json"))
                {
                    Some(name) => format!("JSON Schema: {name}"),
                    None => p.to_string(),
                },
            };
            Download {
                path: path.clone(),
                label,
                size: Some(human_size(bytes)),
            }
        })
        .collect();
    // Sort the catalogue first, then everything else by path (already sorted).
    out.sort_by_key(|d| d.path != "catalogue.json");
    out.push(Download {
        path: "SHA256SUMS".into(),
        label: "SHA-256 checksums of every published file".into(),
        size: None,
    });
    out
}

fn page(path: &str, kind: &'static str, title: &str, prefix: &str) -> Context {
    let mut ctx = Context::new();
    ctx.insert("prefix", prefix);
    ctx.insert("page", &PageInfo { path, kind, title });
    ctx
}

/// The longest file name most file systems take, in bytes.
const MAX_FILE_NAME: usize = 255;

/// Whether an ID can name a file `req/<ID>.html` that stays in `req/`, and whose path is a
/// URL as it stands: the catalogue's `permalink` and the permanent URLs are that path unencoded,
/// so no `#`, `?`, `%` or white space may end or change it.
fn usable_as_file_name(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 200
        && !id.contains(['/', '\\', '#', '?', '%'])
        && !id.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// Builds and renders every page of the site, in parallel; each page goes to the sink and its
/// context and HTML are dropped as soon as it is rendered. Problems (names that collide or cannot be files) are reported.
pub(crate) fn pages(
    checked: &Checked,
    release: Option<&ReleaseContext>,
    problems: &mut Vec<Problem>,
    render: Render,
) -> Vec<Rendered> {
    use rayon::prelude::*;
    let cat = &checked.catalogue;
    let texts: Vec<ChapterText> = checked
        .chapters
        .par_iter()
        .map(|ch| ChapterText::new(ch, &checked.loaded.sources.get(ch.file).text, TEMPLATE_IDS))
        .collect();
    let shared = Shared {
        checked,
        by_id: cat
            .requirements
            .iter()
            .map(|r| (r.id.as_str(), r))
            .collect(),
        chapter_of: cat.chapters.iter().map(|c| (c.slug.as_str(), c)).collect(),
        chapter_values: cat
            .chapters
            .iter()
            .map(|c| (c.slug.as_str(), Value::from_serializable(c)))
            .collect(),
        org_names: cat
            .organisations
            .iter()
            .map(|o| (o.id.as_str(), o.name.as_str()))
            .collect(),
        related_from: {
            let mut m: HashMap<&str, Vec<&str>> = HashMap::new();
            for r in &cat.requirements {
                for id in &r.related {
                    m.entry(id.as_str()).or_default().push(&r.id);
                }
            }
            m
        },
        texts,
    };
    check_names(checked, problems);

    let done = |p: Page| Rendered {
        result: render(&p),
        path: p.path,
        template: p.template,
    };
    let mut search = page("search.html", "search", "Search", "");
    search.insert("noindex", &true);
    // The few large pages render one after the other on one thread while the other threads
    // take the many small ones; whoever finishes first helps with the rest.
    let (one_by_one, (chapters, requirements)) = rayon::join(
        || {
            let head = vec![
                done(index(&shared)),
                done(self::requirements(&shared)),
                done(coverage(&shared)),
                done(organisations(&shared)),
                done(Page {
                    path: "search.html".into(),
                    template: "search.html",
                    context: search,
                }),
            ];
            let tail: Vec<Rendered> = moved(&shared)
                .into_iter()
                .map(&done)
                .chain(
                    cat.organisations
                        .iter()
                        .filter_map(|o| organisation(&shared, o))
                        .map(&done),
                )
                .collect();
            (head, tail)
        },
        || {
            // A chapter named like one of the site's own pages is reported (check_names) and
            // not rendered, so that the two never write the same file at once.
            let rendered = |c: usize| {
                let path = assemble::chapter_page(&checked.chapters[c].slug);
                !RESERVED.contains(&path.as_str()) && path.len() <= MAX_FILE_NAME
            };
            // Each requirement's page is rendered with its chapter's (by the first chapter
            // of that slug), so that its entry becomes a tera value once; the entries of no
            // rendered chapter come after.
            let mut first_of_slug: HashMap<&str, usize> = HashMap::new();
            for (c, ch) in checked.chapters.iter().enumerate() {
                first_of_slug.entry(ch.slug.as_str()).or_insert(c);
            }
            let mut entries_of: Vec<Vec<&RequirementEntry>> =
                vec![Vec::new(); checked.chapters.len()];
            let mut elsewhere = Vec::new();
            // An ID that cannot name its page is reported (check_names); its page is not
            // written, so that the file system's refusal does not hide that report.
            for entry in cat
                .requirements
                .iter()
                .filter(|e| usable_as_file_name(&e.id))
            {
                match first_of_slug.get(entry.chapter.as_str()) {
                    Some(&c) if rendered(c) => entries_of[c].push(entry),
                    _ => elsewhere.push(entry),
                }
            }
            let per_chapter: Vec<(Option<Rendered>, Vec<Rendered>)> = entries_of
                .par_iter()
                .enumerate()
                .map(|(c, entries)| {
                    let values: EntryValues = entries
                        .iter()
                        .map(|&e| (std::ptr::from_ref(e), Value::from_serializable(e)))
                        .collect();
                    let page = rendered(c).then(|| done(chapter(&shared, c, &values)));
                    let pages = entries
                        .iter()
                        .map(|e| {
                            let value = values.get(&std::ptr::from_ref(*e)).cloned();
                            done(requirement(&shared, e, value, release))
                        })
                        .collect();
                    (page, pages)
                })
                .collect();
            let mut chapters = Vec::with_capacity(per_chapter.len());
            let mut requirements = Vec::with_capacity(cat.requirements.len());
            for (page, pages) in per_chapter {
                chapters.extend(page);
                requirements.extend(pages);
            }
            requirements.extend(
                elsewhere
                    .par_iter()
                    .map(|e| done(requirement(&shared, e, None, release)))
                    .collect::<Vec<_>>(),
            );
            (chapters, requirements)
        },
    );
    // Reading order, whichever thread rendered what.
    let (head, tail) = one_by_one;
    head.into_iter()
        .chain(chapters)
        .chain(requirements)
        .chain(tail)
        .collect()
}

/// Reports chapter pages that collide with the site's own pages or with each other, IDs that
/// cannot be file names, and IDs that are element ids of the templates.
pub(super) fn check_names(checked: &Checked, problems: &mut Vec<Problem>) {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for ch in &checked.chapters {
        let path = assemble::chapter_page(&ch.slug);
        let file = checked.loaded.sources.get(ch.file);
        let at = ch.body_start..ch.body_start;
        if path.len() > MAX_FILE_NAME {
            problems.push(Problem::new(
                Place::File(ch.file),
                at,
                Code::TemplateError,
                format!("chapter `{}` would be published as a page whose name is longer than {MAX_FILE_NAME} bytes", file.path),
                "shorten the chapter's file name",
            ));
        } else if RESERVED.contains(&path.as_str()) {
            problems.push(Problem::new(
                Place::File(ch.file),
                at,
                Code::TemplateError,
                format!("chapter `{}` would be published as `{path}`, which the site uses for its own page", file.path),
                format!("rename the chapter file; these page names are reserved: {}", RESERVED.join(", ")),
            ));
        } else if let Some(first) = seen.insert(path.clone(), &file.path) {
            problems.push(Problem::new(
                Place::File(ch.file),
                at,
                Code::TemplateError,
                format!(
                    "chapters `{first}` and `{}` would both be published as `{path}`",
                    file.path
                ),
                "give the chapter files different names",
            ));
        }
    }
    for ch in &checked.chapters {
        for r in &ch.requirements {
            if !usable_as_file_name(&r.id) {
                problems.push(Problem::new(
                    Place::File(ch.file),
                    r.id_span.clone(),
                    Code::TemplateError,
                    format!("requirement ID `{}` cannot name its permanent page `req/<ID>.html`", r.id.escape_debug()),
                    "use IDs of at most 200 bytes without `/`, `\\`, `#`, `?`, `%`, white space or control characters (tighten `id_pattern` in specbook.toml)",
                ));
            } else if TEMPLATE_IDS.contains(&r.id.as_str()) {
                problems.push(Problem::new(
                    Place::File(ch.file),
                    r.id_span.clone(),
                    Code::TemplateError,
                    format!(
                        "requirement ID `{}` is an element id of the site's own pages",
                        r.id
                    ),
                    format!(
                        "choose another ID; the site uses these: {}",
                        TEMPLATE_IDS.join(", ")
                    ),
                ));
            }
        }
    }
    // Registry ids that become element ids: a framework item's row on the coverage page (beside
    // the frameworks' headings, `fw-<framework id>`), a document's section on its organisation's
    // page.
    let taken = |what: &str, id: &str, (file, span): &(FileId, Range<usize>)| {
        Problem::new(
            Place::File(*file),
            span.clone(),
            Code::TemplateError,
            format!("{what} `{id}` is an element id of the site's own pages"),
            format!(
                "choose another id; the site uses `fw-<framework id>` and these: {}",
                TEMPLATE_IDS.join(", ")
            ),
        )
    };
    for (item, place) in &checked.registry.item_places {
        let heading = item
            .strip_prefix("fw-")
            .is_some_and(|fw| checked.registry.frameworks.iter().any(|f| f.id == fw));
        if heading || TEMPLATE_IDS.contains(&item.as_str()) {
            problems.push(taken("framework item id", item, place));
        }
    }
    for (key, place) in &checked.registry.doc_places {
        let doc = key.split_once('/').map_or(key.as_str(), |(_, d)| d);
        if TEMPLATE_IDS.contains(&doc) {
            problems.push(taken("document id", doc, place));
        }
    }
}

#[derive(Serialize)]
struct TocChapter<'a> {
    chapter: &'a ChapterInfo,
    #[serde(rename = "abstract")]
    abstract_: Option<&'a str>,
    sections: Vec<Section>,
}

#[derive(Serialize)]
struct Section {
    title: String,
    id: String,
}

fn index(s: &Shared) -> Page {
    let cat = &s.checked.catalogue;
    let toc: Vec<TocChapter> = cat
        .chapters
        .iter()
        .zip(&s.texts)
        .map(|(c, t)| TocChapter {
            chapter: c,
            abstract_: c.front_matter.get("abstract").and_then(|v| v.as_str()),
            sections: t
                .sections(2)
                .into_iter()
                .map(|(title, id)| Section { title, id })
                .collect(),
        })
        .collect();
    let mut ctx = page("index.html", "index", &cat.spec.title, "");
    ctx.insert("toc", &toc);
    Page {
        path: "index.html".into(),
        template: "index.html",
        context: ctx,
    }
}

/// Catalogue entries (by address, so that even entries of one duplicated ID stay apart) as
/// tera values.
type EntryValues = HashMap<*const RequirementEntry, Value>;

/// The page of chapter `c`; `values` holds its requirements' entries as tera values.
fn chapter(s: &Shared, c: usize, values: &EntryValues) -> Page {
    let checked = s.checked;
    let ch = &checked.chapters[c];
    let info = s
        .chapter_of
        .get(ch.slug.as_str())
        .copied()
        .unwrap_or(&EMPTY_CHAPTER);
    let text = &checked.loaded.sources.get(ch.file).text;
    let ct = &s.texts[c];
    let resolver = Resolver {
        chapters: &checked.chapters,
        registry: &checked.registry,
        linked: &checked.linked,
        current: &ch.slug,
    };
    let mut segments = Vec::new();
    let mut cursor = ch.body_start.min(text.len());
    let prose = |segments: &mut Vec<Segment>, r: Range<usize>| {
        let html = ct.render(r, &checked.id_pattern, &resolver, "", false);
        if !html.trim().is_empty() {
            segments.push(Segment::Prose { html });
        }
    };
    for (ri, r) in ch.requirements.iter().enumerate() {
        if checked.linked.ids.get(&r.id) != Some(&(c, ri)) {
            continue; // a duplicate ID, reported by link; its text stays in the prose
        }
        let Some(entry) = s.by_id.get(r.id.as_str()) else {
            continue;
        };
        prose(&mut segments, cursor..r.heading_span.start.max(cursor));
        let value = values
            .get(&std::ptr::from_ref(*entry))
            .cloned()
            .unwrap_or_else(|| Value::from_serializable(*entry));
        segments.push(Segment::Requirement(Box::new(s.view(entry, value, ""))));
        cursor = r.body_span.end.max(cursor);
    }
    prose(&mut segments, cursor..text.len());

    let pos = checked
        .catalogue
        .chapters
        .iter()
        .position(|x| x.slug == ch.slug);
    let prev = pos
        .and_then(|p| p.checked_sub(1))
        .and_then(|p| checked.catalogue.chapters.get(p));
    let next = pos.and_then(|p| checked.catalogue.chapters.get(p + 1));
    let path = assemble::chapter_page(&ch.slug);
    let mut ctx = page(&path, "chapter", &info.title, "");
    ctx.insert("chapter", info);
    ctx.insert(
        "title_id",
        &ct.title
            .as_ref()
            .map(|(_, id)| id.as_str())
            .filter(|i| !i.is_empty()),
    );
    ctx.insert("segments", &segments);
    ctx.insert("footnotes", &ct.notes(&checked.id_pattern, &resolver));
    ctx.insert("prev", &prev);
    ctx.insert("next", &next);
    if checked.catalogue.chapters.len() > SIDEBAR_ALL_UP_TO {
        ctx.insert("sidebar", &sidebar(&checked.catalogue.chapters, pos));
    }
    Page {
        path,
        template: "chapter.html",
        context: ctx,
    }
}

/// The permanent page of `entry`; `value` is the entry as a tera value, if made already.
fn requirement(
    s: &Shared,
    entry: &RequirementEntry,
    value: Option<Value>,
    release: Option<&ReleaseContext>,
) -> Page {
    let path = assemble::permalink(&entry.id);
    let value = value.unwrap_or_else(|| Value::from_serializable(entry));
    let mut view = s.view(entry, value, "../");
    // Here the requirement is the page's `<h1>`, so its sub-headings move up under it.
    let by = view.level.saturating_sub(1);
    view.statement_html = html::raise_headings(std::mem::take(&mut view.statement_html), by);
    view.rationale_html = view
        .rationale_html
        .take()
        .map(|h| html::raise_headings(h, by));
    let referenced_by: Vec<RefView> = s
        .related_from
        .get(entry.id.as_str())
        .map(|ids| ids.iter().map(|id| s.reference(id)).collect())
        .unwrap_or_default();
    let mut ctx = page(&path, "requirement", &entry.title, "../");
    ctx.insert("r", &view);
    ctx.insert(
        "links",
        &release.map(|r| r.requirement_links(&entry.id, &entry.permalink)),
    );
    ctx.insert("referenced_by", &referenced_by);
    ctx.insert(
        "replaces",
        &entry
            .replaces
            .iter()
            .map(|id| s.reference(id))
            .collect::<Vec<_>>(),
    );
    Page {
        path,
        template: "requirement.html",
        context: ctx,
    }
}

/// Pages at the permanent addresses of renamed IDs (`replaces`), pointing to the new ID.
fn moved(s: &Shared) -> Vec<Page> {
    let mut done = BTreeSet::new();
    let mut pages = Vec::new();
    for entry in &s.checked.catalogue.requirements {
        for old in &entry.replaces {
            if s.by_id.contains_key(old.as_str())
                || !usable_as_file_name(old)
                || !done.insert(old.as_str())
            {
                continue;
            }
            let path = assemble::permalink(old);
            let mut ctx = page(&path, "moved", old, "../");
            ctx.insert("old", old);
            ctx.insert("r", &s.reference(&entry.id));
            pages.push(Page {
                path,
                template: "moved.html",
                context: ctx,
            });
        }
    }
    pages
}

/// The fields of a requirement the index table shows (not its texts: the table of a large
/// spec would otherwise hold every statement twice over).
#[derive(Serialize)]
struct RowReq<'a> {
    id: &'a str,
    title: &'a str,
    chapter: &'a str,
    status: ReqStatus,
    strength: Strength,
    organisations: &'a [String],
    frameworks: Vec<ItemRef<'a>>,
}

#[derive(Serialize)]
struct ItemRef<'a> {
    id: &'a str,
}

#[derive(Serialize)]
struct Row<'a> {
    req: RowReq<'a>,
    chapter_title: &'a str,
    /// Space-separated organisation ids (ids match `^[a-z0-9][a-z0-9-]*$`).
    orgs: String,
    /// Space-separated framework item ids (ids match `^[A-Za-z][A-Za-z0-9.()-]*$`).
    items: String,
}

/// An `<option>` of a filter.
#[derive(Serialize)]
struct Choice<'a> {
    value: &'a str,
    label: String,
}

fn requirements(s: &Shared) -> Page {
    let cat = &s.checked.catalogue;
    let rows: Vec<Row> = cat
        .requirements
        .iter()
        .map(|r| Row {
            req: RowReq {
                id: &r.id,
                title: &r.title,
                chapter: &r.chapter,
                status: r.status,
                strength: r.strength,
                organisations: &r.organisations,
                frameworks: r.frameworks.iter().map(|f| ItemRef { id: &f.id }).collect(),
            },
            chapter_title: s
                .chapter_of
                .get(r.chapter.as_str())
                .map_or("", |c| c.title.as_str()),
            orgs: r.organisations.join(" "),
            items: r
                .frameworks
                .iter()
                .map(|f| &*f.id)
                .collect::<Vec<_>>()
                .join(" "),
        })
        .collect();
    let used: BTreeSet<Strength> = cat.requirements.iter().map(|r| r.strength).collect();
    let strengths: Vec<Choice> = [
        Strength::Must,
        Strength::Should,
        Strength::May,
        Strength::None,
    ]
    .into_iter()
    .filter(|x| used.contains(x))
    .map(|x| Choice {
        value: x.as_str(),
        label: x.as_str().to_uppercase(),
    })
    .collect();
    let chapters: Vec<Choice> = cat
        .chapters
        .iter()
        .map(|c| Choice {
            value: &c.slug,
            label: c.title.clone(),
        })
        .collect();
    let orgs: Vec<Choice> = cat
        .organisations
        .iter()
        .map(|o| Choice {
            value: &o.id,
            label: o.name.clone(),
        })
        .collect();
    let mapped: BTreeSet<&str> = cat
        .requirements
        .iter()
        .flat_map(|r| r.frameworks.iter().map(|f| &*f.id))
        .collect();
    let items: Vec<Choice> = cat
        .frameworks
        .iter()
        .flat_map(|f| &f.items)
        .filter(|i| mapped.contains(i.id.as_str()))
        .map(|i| Choice {
            value: &i.id,
            label: format!("{} — {}", i.id, i.reference),
        })
        .collect();
    let mut ctx = page("requirements.html", "requirements", "All requirements", "");
    ctx.insert("rows", &rows);
    ctx.insert(
        "filters",
        &serde_json::json!({
            "strength": strengths, "chapter": chapters, "org": orgs, "item": items,
        }),
    );
    Page {
        path: "requirements.html".into(),
        template: "requirements.html",
        context: ctx,
    }
}

fn rel_code(r: Relationship) -> &'static str {
    match r {
        Relationship::EquivalentTo => "eq",
        Relationship::SubsetOf => "sub",
        Relationship::SupersetOf => "sup",
        Relationship::IntersectsWith => "int",
    }
}

#[derive(Serialize)]
struct ColumnGroup<'a> {
    chapter: &'a ChapterInfo,
    reqs: Vec<RefView<'a>>,
}

#[derive(Serialize)]
struct ItemRow<'a> {
    item: &'a ItemCoverage,
    summary: &'a str,
    url: Option<&'a str>,
    /// `covered`, `gap`, `out` or `structure` (a chapeau or heading).
    status: &'static str,
    /// The mapped cells, left to right. The grid has a column per requirement, so it is
    /// written sparsely: each cell says how many empty columns come before it, and `rest` how
    /// many follow the last. Its size grows with the mappings, not with items × requirements.
    cells: Vec<GridCell>,
    /// Empty columns after the last mapped cell.
    rest: usize,
}

/// A mapped cell of a coverage grid row.
#[derive(Serialize)]
struct GridCell {
    /// Empty columns between the previous mapped cell (or the row's start) and this one.
    skip: usize,
    /// The column: the requirement `columns[col]`.
    col: usize,
    /// The relationship: `eq`, `sub`, `sup` or `int`.
    rel: &'static str,
}

#[derive(Serialize)]
struct FrameworkView<'a> {
    id: &'a str,
    title: &'a str,
    url: Option<&'a str>,
    rows: Vec<ItemRow<'a>>,
}

/// A grid row's mapped cells (sorted by column, each column once) as [`GridCell`]s with the
/// number of empty columns before each, and the number of empty columns after the last.
fn sparse_row(mapped: &[(usize, Relationship)], width: usize) -> (Vec<GridCell>, usize) {
    let mut next = 0;
    let mut cells = Vec::with_capacity(mapped.len());
    for &(col, rel) in mapped {
        cells.push(GridCell {
            skip: col - next,
            col,
            rel: rel_code(rel),
        });
        next = col + 1;
    }
    (cells, width - next)
}

/// Live (not withdrawn) requirements grouped by chapter, in reading order.
fn live_groups<'a>(s: &Shared<'a>) -> Vec<ColumnGroup<'a>> {
    let cat = &s.checked.catalogue;
    let mut by_chapter: BTreeMap<&str, Vec<RefView<'a>>> = BTreeMap::new();
    for r in &cat.requirements {
        if r.status != ReqStatus::Withdrawn {
            by_chapter
                .entry(r.chapter.as_str())
                .or_default()
                .push(s.reference(&r.id));
        }
    }
    cat.chapters
        .iter()
        .filter_map(|c| {
            by_chapter
                .remove(c.slug.as_str())
                .map(|reqs| ColumnGroup { chapter: c, reqs })
        })
        .collect()
}

fn coverage(s: &Shared) -> Page {
    let cat = &s.checked.catalogue;
    let groups = live_groups(s);
    let columns: Vec<&str> = groups
        .iter()
        .flat_map(|g| g.reqs.iter().map(|r| r.id))
        .collect();
    // Item → (column, relationship), in column order.
    let column_of: BTreeMap<&str, usize> =
        columns.iter().enumerate().map(|(i, c)| (*c, i)).collect();
    let mut mapped: BTreeMap<&str, Vec<(usize, Relationship)>> = BTreeMap::new();
    for r in &cat.requirements {
        let Some(&col) = column_of.get(r.id.as_str()) else {
            continue; // withdrawn: no column
        };
        for f in &r.frameworks {
            let cells = mapped.entry(&*f.id).or_default();
            match cells.last_mut() {
                // The same item twice in one requirement: the last mapping counts.
                Some(last) if last.0 == col => last.1 = f.relationship,
                _ => cells.push((col, f.relationship)),
            }
        }
    }
    for cells in mapped.values_mut() {
        cells.sort_by_key(|&(col, _)| col);
    }
    let items: BTreeMap<&str, &crate::registry::FrameworkItem> = cat
        .frameworks
        .iter()
        .flat_map(|f| f.items.iter().map(|i| (i.id.as_str(), i)))
        .collect();
    let frameworks: Vec<FrameworkView> = cat
        .frameworks
        .iter()
        .map(|f| FrameworkView {
            id: &f.id,
            title: &f.title,
            url: f.url.as_deref(),
            rows: cat
                .coverage
                .items
                .iter()
                .filter(|i| i.framework == f.id)
                .map(|i| {
                    let status = match (i.kind, i.scope) {
                        (ItemKind::Requirement, Scope::Out) => "out",
                        (ItemKind::Requirement, Scope::In) if i.requirements.is_empty() => "gap",
                        (ItemKind::Requirement, Scope::In) => "covered",
                        _ => "structure",
                    };
                    let item = items.get(i.id.as_str());
                    let (cells, rest) = sparse_row(
                        mapped.get(i.id.as_str()).map_or(&[], Vec::as_slice),
                        columns.len(),
                    );
                    ItemRow {
                        item: i,
                        summary: item.map_or("", |x| x.summary.as_str()),
                        url: item.and_then(|x| x.url.as_deref()),
                        status,
                        cells,
                        rest,
                    }
                })
                .collect(),
        })
        .collect();
    let mut ctx = page("coverage.html", "coverage", "Framework coverage", "");
    ctx.insert("groups", &groups);
    ctx.insert("columns", &columns);
    ctx.insert("frameworks", &frameworks);
    ctx.insert("coverage", &cat.coverage);
    Page {
        path: "coverage.html".into(),
        template: "coverage.html",
        context: ctx,
    }
}

#[derive(Serialize)]
struct OrgColumn<'a> {
    org: &'a Organisation,
    /// Requirements citing any of its documents.
    requirements: usize,
    /// Its documents no requirement cites.
    uncited: usize,
}

#[derive(Serialize)]
struct OrgRow<'a> {
    req: RefView<'a>,
    /// Per organisation column: how many of its documents the requirement cites.
    cells: Vec<usize>,
    /// It cites no document at all.
    gap: bool,
}

#[derive(Serialize)]
struct OrgGroup<'a> {
    chapter: &'a ChapterInfo,
    rows: Vec<OrgRow<'a>>,
}

#[derive(Serialize)]
struct Uncited<'a> {
    organisation: &'a Organisation,
    document: &'a Document,
}

fn organisations(s: &Shared) -> Page {
    let cat = &s.checked.catalogue;
    let cov: BTreeMap<&str, &OrganisationCoverage> = cat
        .coverage
        .organisations
        .iter()
        .map(|o| (o.id.as_str(), o))
        .collect();
    let columns: Vec<OrgColumn> = cat
        .organisations
        .iter()
        .map(|o| {
            let c = cov.get(o.id.as_str());
            OrgColumn {
                org: o,
                requirements: c.map_or(0, |c| c.requirements.len()),
                uncited: c.map_or(0, |c| {
                    c.documents
                        .iter()
                        .filter(|d| d.requirements.is_empty())
                        .count()
                }),
            }
        })
        .collect();
    let groups: Vec<OrgGroup> = live_groups(s)
        .into_iter()
        .map(|g| OrgGroup {
            chapter: g.chapter,
            rows: g
                .reqs
                .into_iter()
                .map(|r| {
                    let entry = s.by_id.get(r.id).copied();
                    let cells = cat
                        .organisations
                        .iter()
                        .map(|o| {
                            entry.map_or(0, |e| {
                                e.sources
                                    .iter()
                                    .filter(|x| *x.organisation == *o.id)
                                    .map(|x| &*x.document)
                                    .collect::<BTreeSet<_>>()
                                    .len()
                            })
                        })
                        .collect();
                    let gap = entry.is_none_or(|e| e.sources.is_empty());
                    OrgRow { req: r, cells, gap }
                })
                .collect(),
        })
        .collect();
    let without: Vec<RefView> = cat
        .coverage
        .summary
        .requirements_without_source
        .iter()
        .map(|id| s.reference(id))
        .collect();
    let uncited: Vec<Uncited> = cat
        .organisations
        .iter()
        .flat_map(|o| {
            o.documents.iter().filter_map(move |d| {
                let key = format!("{}/{}", o.id, d.id);
                cat.coverage
                    .summary
                    .uncited_documents
                    .contains(&key)
                    .then_some(Uncited {
                        organisation: o,
                        document: d,
                    })
            })
        })
        .collect();
    let mut ctx = page(
        "organisations.html",
        "organisations",
        "Foundations and their practices",
        "",
    );
    ctx.insert("columns", &columns);
    ctx.insert("groups", &groups);
    ctx.insert("without_source", &without);
    ctx.insert("uncited", &uncited);
    Page {
        path: "organisations.html".into(),
        template: "organisations.html",
        context: ctx,
    }
}

#[derive(Serialize)]
struct DocView<'a> {
    doc: &'a Document,
    /// Its citable sections, each with the URL that reaches it.
    sections: Vec<SectionView<'a>>,
    requirements: Vec<RefView<'a>>,
}

#[derive(Serialize)]
struct SectionView<'a> {
    anchor: &'a str,
    title: &'a str,
    url: String,
}

fn organisation(s: &Shared, org: &Organisation) -> Option<Page> {
    if org.id.is_empty() || !usable_as_file_name(&org.id) {
        return None;
    }
    let cat = &s.checked.catalogue;
    let cov = cat.coverage.organisations.iter().find(|o| o.id == org.id);
    let documents: Vec<DocView> = org
        .documents
        .iter()
        .map(|d| DocView {
            doc: d,
            sections: d
                .sections
                .iter()
                .map(|sec| SectionView {
                    anchor: &sec.anchor,
                    title: &sec.title,
                    url: d.section_url(&sec.anchor),
                })
                .collect(),
            requirements: cov
                .and_then(|c| c.documents.iter().find(|x| x.id == d.id))
                .map(|x| x.requirements.iter().map(|id| s.reference(id)).collect())
                .unwrap_or_default(),
        })
        .collect();
    let requirements: Vec<RefView> = cov
        .map(|c| c.requirements.iter().map(|id| s.reference(id)).collect())
        .unwrap_or_default();
    let path = format!("{}{}.html", assemble::ORGANISATION_FOLDER, org.id);
    let mut ctx = page(&path, "organisation", &org.name, "../");
    ctx.insert("org", org);
    ctx.insert("documents", &documents);
    ctx.insert("requirements", &requirements);
    ctx.insert(
        "security_contact_url",
        &org.security_contact.as_deref().map(contact_url),
    );
    Some(Page {
        path,
        template: "organisation.html",
        context: ctx,
    })
}

/// A security contact as a link target: an URL as is (if allowed), an address as `mailto:`.
fn contact_url(contact: &str) -> String {
    if contact.contains('@') && !contact.contains(':') && !contact.contains(char::is_whitespace) {
        format!("mailto:{contact}")
    } else {
        urls::external(contact).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chapters(n: usize) -> Vec<ChapterInfo> {
        (0..n)
            .map(|i| ChapterInfo {
                slug: format!("c{i}"),
                ..EMPTY_CHAPTER.clone()
            })
            .collect()
    }

    fn window(t: &Sidebar) -> (String, String, usize, usize, usize) {
        let first = t.chapters.first().map_or(String::new(), |c| c.slug.clone());
        let last = t.chapters.last().map_or(String::new(), |c| c.slug.clone());
        (first, last, t.start, t.before, t.after)
    }

    #[test]
    fn sidebar_lists_every_chapter_of_a_small_spec() {
        let all = chapters(SIDEBAR_ALL_UP_TO);
        let t = sidebar(&all, Some(50));
        assert_eq!(t.chapters.len(), SIDEBAR_ALL_UP_TO);
        assert_eq!((t.start, t.before, t.after), (1, 0, 0));
        assert_eq!(sidebar(&[], None).chapters.len(), 0);
    }

    #[test]
    fn sidebar_of_a_large_spec_is_a_window_around_the_current_chapter() {
        let all = chapters(400);
        let w = 2 * SIDEBAR_RADIUS + 1;
        assert_eq!(sidebar(&all, Some(200)).chapters.len(), w);
        assert_eq!(
            window(&sidebar(&all, Some(200))),
            ("c180".into(), "c220".into(), 181, 180, 179)
        );
        // At the ends the window keeps its size and stays inside the list.
        assert_eq!(
            window(&sidebar(&all, Some(3))),
            ("c0".into(), "c40".into(), 1, 0, 359)
        );
        assert_eq!(
            window(&sidebar(&all, None)),
            ("c0".into(), "c40".into(), 1, 0, 359)
        );
        assert_eq!(
            window(&sidebar(&all, Some(399))),
            ("c359".into(), "c399".into(), 360, 359, 0)
        );
    }
}
