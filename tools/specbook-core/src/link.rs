//! Stage 4, link: checks requirement IDs (pattern, uniqueness) and resolves every reference:
//! `[ID]` and `[org/doc]` in prose, `related`, `replaces`, `sources`, `cra`, and links to
//! chapter files and anchors. Unknown targets get "did you mean" hints.

use crate::catalogue::{FrameworkLink, PolicyLink};
use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::meta::ReqStatus;
use crate::model::{Chapter, Requirement};
use crate::registries::Registry;
use crate::source::{FileId, SourceMap};
use crate::toml_json;
use crate::urls::ChapterLink;
use foldhash::{HashMap, HashMapExt};
use regex::Regex;
use std::ops::Range;
use std::sync::Arc;

/// Where a requirement lives: chapter index and requirement index.
pub type ReqPos = (usize, usize);

/// What linking produces and later stages look up.
#[derive(Debug, Default, Clone)]
pub struct Linked {
    /// Requirement ID → its first definition. Only ever looked up, never walked in order.
    pub ids: HashMap<String, ReqPos>,
}

/// The resolved metadata links of each requirement, handed to `assemble`, which moves them
/// into the catalogue.
#[derive(Debug, Default, Clone)]
pub struct Resolved {
    /// Per chapter, in reading order.
    pub chapters: Vec<ResolvedChapter>,
}

/// One chapter's resolved metadata links, indexed like its requirements.
#[derive(Debug, Default, Clone)]
pub struct ResolvedChapter {
    /// Resolved `sources` per requirement.
    pub sources: Vec<Vec<PolicyLink>>,
    /// Resolved `cra` (framework items) per requirement.
    pub frameworks: Vec<Vec<FrameworkLink>>,
}

/// Runs the link stage. IDs are collected in reading order first; then each chapter's IDs are
/// checked against the pattern and its references resolved on its own, in parallel.
pub fn link(
    files: &SourceMap,
    chapters: &[Chapter],
    registry: &Registry,
    id_pattern: &Regex,
    id_pattern_text: &str,
) -> (Linked, Resolved, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut linked = Linked::default();
    linked
        .ids
        .reserve(chapters.iter().map(|c| c.requirements.len()).sum());
    for (ci, ch) in chapters.iter().enumerate() {
        for (ri, r) in ch.requirements.iter().enumerate() {
            match linked.ids.get(&r.id) {
                Some(&(pc, pr)) => {
                    let first = &chapters[pc].requirements[pr];
                    diags.push(
                        Diagnostic::new(Code::DuplicateId, ch.file, r.id_span.clone(), format!("requirement ID `{}` is used twice", r.id))
                            .with_label("second use")
                            .with_secondary(chapters[pc].file, first.id_span.clone(), "first used here")
                            .with_help("IDs are permanent and unique: give this requirement a new ID and never reuse a retired one"),
                    );
                }
                None => {
                    linked.ids.insert(r.id.clone(), (ci, ri));
                }
            }
        }
    }
    let mut pages: HashMap<String, usize> = HashMap::with_capacity(chapters.len());
    for (ci, ch) in chapters.iter().enumerate() {
        pages.entry(format!("{}.md", ch.slug)).or_insert(ci);
    }
    let interned = Interned::new(registry);
    let shared = Shared {
        id_pattern,
        id_pattern_text,
        chapters,
        registry,
        ids: &linked.ids,
        pages: &pages,
        interned: &interned,
    };
    let parallel: Vec<ChapterLinked> = {
        use rayon::prelude::*;
        chapters
            .par_iter()
            .enumerate()
            .map(|(ci, ch)| link_chapter(&shared, files, ci, ch, MAX_SUGGESTIONS))
            .collect()
    };
    // "Did you mean" searches are capped per run, in reading order. A chapter's result stands
    // if its searches fit in what the chapters before it left; otherwise it is linked again
    // with only that many, which is what one thread reading in order would have done.
    let mut left = MAX_SUGGESTIONS;
    let mut resolved = Resolved {
        chapters: Vec::with_capacity(chapters.len()),
    };
    for (ci, mut part) in parallel.into_iter().enumerate() {
        if part.asked > left {
            part = link_chapter(&shared, files, ci, &chapters[ci], left);
        }
        left -= part.asked.min(left);
        diags.extend(part.diags);
        resolved.chapters.push(part.resolved);
    }
    (linked, resolved, diags)
}

/// One chapter's share of the link stage.
struct ChapterLinked {
    diags: Vec<Diagnostic>,
    resolved: ResolvedChapter,
    /// How many "did you mean" searches it asked for (whether or not it got them).
    asked: usize,
}

/// Resolves one chapter's references, with at most `budget` "did you mean" searches.
fn link_chapter(
    shared: &Shared<'_>,
    files: &SourceMap,
    ci: usize,
    ch: &Chapter,
    budget: usize,
) -> ChapterLinked {
    let ctx = Ctx {
        shared,
        budget,
        asked: std::cell::Cell::new(0),
    };
    let mut diags = Vec::new();
    for r in &ch.requirements {
        if !shared.id_pattern.is_match(&r.id) {
            diags.push(
                Diagnostic::new(
                    Code::MalformedId,
                    ch.file,
                    r.id_span.clone(),
                    format!("requirement ID `{}` does not match the ID pattern", r.id),
                )
                .with_label("malformed ID")
                .with_help(format!(
                    "IDs must match `{}` (set `id_pattern` in specbook.toml to change it)",
                    shared.id_pattern_text
                )),
            );
        }
    }
    for reference in &ch.references {
        ctx.prose_reference(
            ch.file,
            &reference.target,
            &At::Span(reference.span.clone()),
            &mut diags,
        );
    }
    for l in &ch.internal_links {
        ctx.internal_link(ci, &l.target, l.span.clone(), &mut diags);
    }
    let text = files.get(ch.file).text.as_str();
    let mut resolved = ResolvedChapter {
        sources: Vec::with_capacity(ch.requirements.len()),
        frameworks: Vec::with_capacity(ch.requirements.len()),
    };
    for r in &ch.requirements {
        for (i, id) in r.meta.related.iter().enumerate() {
            ctx.requirement_id(
                ch.file,
                id,
                &At::Meta(r, text, "related", i),
                "related requirement",
                &mut diags,
            );
        }
        for (i, id) in r.meta.replaces.as_slice().iter().enumerate() {
            if shared.ids.contains_key(id) {
                let span = meta_span(r, text, &format!("/replaces/{i}"))
                    .or_else(|| meta_span(r, text, "/replaces"))
                    .unwrap_or_else(|| r.id_span.clone());
                diags.push(Diagnostic::new(Code::DuplicateId, ch.file, span, format!("`{id}` is replaced but still defined")).with_help(format!("a replaced ID lives on only as a tombstone: set `status = \"withdrawn\"` on `{id}` or drop it from `replaces`")));
            }
        }
        let sources = r.meta.sources.iter().enumerate().filter_map(|(i, m)| {
            let (target, rel) = m.parts();
            ctx.policy(
                ch.file,
                target,
                &At::Meta(r, text, "sources", i),
                &mut diags,
            )
            .map(|mut l| {
                l.relationship = rel;
                l
            })
        });
        resolved.sources.push(sources.collect());
        let items = r.meta.cra.iter().enumerate().filter_map(|(i, m)| {
            let (id, rel) = m.parts();
            ctx.item(ch.file, id, &At::Meta(r, text, "cra", i), &mut diags)
                .map(|mut l| {
                    l.relationship = rel;
                    l
                })
        });
        resolved.frameworks.push(items.collect());
    }
    ChapterLinked {
        diags,
        resolved,
        asked: ctx.asked.get(),
    }
}

/// Where a diagnostic about a reference points: worked out only when one is reported, because
/// finding a metadata value's span parses the `req` block again.
enum At<'r> {
    /// A span in the chapter text.
    Span(Range<usize>),
    /// Entry `index` of the metadata key `key` of a requirement in the chapter text `text`.
    Meta(&'r Requirement, &'r str, &'static str, usize),
}

impl At<'_> {
    fn span(&self) -> Range<usize> {
        match self {
            At::Span(s) => s.clone(),
            At::Meta(r, text, key, index) => {
                meta_span(r, text, &format!("/{key}/{index}")).unwrap_or_else(|| r.id_span.clone())
            }
        }
    }
}

/// The span in the chapter of the metadata value at `pointer` (`/sources/0`), if it is there.
fn meta_span(r: &Requirement, text: &str, pointer: &str) -> Option<Range<usize>> {
    let block = r.meta_text.clone()?;
    let doc = toml_json::parse(text.get(block.clone())?).ok()?;
    let value = doc.spans.get(pointer)?.value.clone();
    Some(value.start + block.start..value.end + block.start)
}

/// How many "did you mean" searches one run does: each compares against every candidate, so an
/// unbounded number on hostile input (thousands of unknown references) would be quadratic.
const MAX_SUGGESTIONS: usize = 200;

/// What every chapter's linking reads.
struct Shared<'a> {
    id_pattern: &'a Regex,
    id_pattern_text: &'a str,
    chapters: &'a [Chapter],
    registry: &'a Registry,
    ids: &'a HashMap<String, ReqPos>,
    /// `slug.md` → the first chapter with that file name.
    pages: &'a HashMap<String, usize>,
    interned: &'a Interned,
}

/// The links to every registry document and framework item, made once: each resolved
/// reference clones one, which shares its strings instead of copying them.
struct Interned {
    /// Per organisation, per document, in registry order.
    documents: Vec<Vec<InternedDocument>>,
    /// Framework item ID → a link to it.
    items: HashMap<String, FrameworkLink>,
}

impl Interned {
    fn new(registry: &Registry) -> Self {
        let documents = registry
            .organisations
            .iter()
            .map(|org| {
                let organisation: Arc<str> = org.id.as_str().into();
                org.documents
                    .iter()
                    .map(|d| InternedDocument::new(&organisation, d))
                    .collect()
            })
            .collect();
        let items = registry
            .item_index
            .keys()
            .filter_map(|id| {
                let (fw, item) = registry.item(id)?;
                let link = FrameworkLink {
                    id: id.as_str().into(),
                    framework: fw.id.as_str().into(),
                    reference: item.reference.as_str().into(),
                    url: item.url.as_deref().map(Arc::from),
                    relationship: Default::default(),
                };
                Some((id.clone(), link))
            })
            .collect();
        Self { documents, items }
    }
}

/// The links to one registry document: to the whole document and to each of its sections, in
/// registry order. Their `target` is what a reference must be written as to resolve to them.
struct InternedDocument {
    whole: PolicyLink,
    sections: Vec<PolicyLink>,
}

impl InternedDocument {
    fn new(organisation: &Arc<str>, d: &crate::registry::Document) -> Self {
        let whole = PolicyLink {
            target: format!("{organisation}/{}", d.id).into(),
            organisation: organisation.clone(),
            document: d.id.as_str().into(),
            section: None,
            title: d.title.as_str().into(),
            url: d.url.as_str().into(),
            relationship: Default::default(),
        };
        let sections = d
            .sections
            .iter()
            .map(|sec| PolicyLink {
                target: format!("{}#{}", whole.target, sec.anchor).into(),
                section: Some(sec.anchor.as_str().into()),
                title: format!("{}: {}", d.title, sec.title).into(),
                url: d.section_url(&sec.anchor).into(),
                ..whole.clone()
            })
            .collect();
        Self { whole, sections }
    }
}

/// Linking one chapter: the shared tables and its own "did you mean" budget.
struct Ctx<'a> {
    shared: &'a Shared<'a>,
    budget: usize,
    asked: std::cell::Cell<usize>,
}

impl Ctx<'_> {
    fn suggest<'c>(
        &self,
        wanted: &str,
        candidates: impl IntoIterator<Item = &'c str>,
    ) -> Option<&'c str> {
        let n = self.asked.get();
        self.asked.set(n + 1);
        if n >= self.budget {
            return None;
        }
        did_you_mean(wanted, candidates)
    }

    fn req(&self, id: &str) -> Option<&Requirement> {
        self.shared
            .ids
            .get(id)
            .map(|&(c, r)| &self.shared.chapters[c].requirements[r])
    }

    fn requirement_id(
        &self,
        file: FileId,
        id: &str,
        at: &At<'_>,
        what: &str,
        diags: &mut Vec<Diagnostic>,
    ) {
        match self.req(id) {
            Some(r) if r.meta.status == ReqStatus::Withdrawn => diags.push(
                Diagnostic::new(
                    Code::WithdrawnReference,
                    file,
                    at.span(),
                    format!("{what} `{id}` is withdrawn"),
                )
                .with_help("refer to the requirement that replaced it, or drop the reference"),
            ),
            Some(_) => {}
            None => {
                let mut d = Diagnostic::new(
                    Code::UnknownReference,
                    file,
                    at.span(),
                    format!("unknown {what} `{id}`"),
                )
                .with_label("no requirement has this ID");
                d = match self.suggest(id, self.shared.ids.keys().map(String::as_str)) {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_help(
                        "check the ID; requirement IDs are written as in their heading's `{#ID}`",
                    ),
                };
                diags.push(d);
            }
        }
    }

    fn prose_reference(
        &self,
        file: FileId,
        target: &str,
        at: &At<'_>,
        diags: &mut Vec<Diagnostic>,
    ) {
        if target.contains('/') {
            let _ = self.policy(file, target, at, diags);
        } else if self.shared.registry.item(target).is_none() {
            self.requirement_id(file, target, at, "reference", diags);
        }
    }

    fn policy(
        &self,
        file: FileId,
        target: &str,
        at: &At<'_>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<PolicyLink> {
        let (path, section) = match target.split_once('#') {
            Some((p, s)) => (p, Some(s)),
            None => (target, None),
        };
        let Some((org_id, doc_id)) = path.split_once('/') else {
            diags.push(Diagnostic::new(Code::UnknownSource, file, at.span(), format!("`{target}` is not a policy reference")).with_help("cite a policy document as `organisation/document` or `organisation/document#section`"));
            return None;
        };
        let reg = self.shared.registry;
        let Some(&oi) = reg.org_index.get(org_id) else {
            let mut d = Diagnostic::new(
                Code::UnknownSource,
                file,
                at.span(),
                format!("unknown organisation `{org_id}` in `{target}`"),
            )
            .with_label("not in the policy registry");
            d = match self.suggest(org_id, reg.org_index.keys().map(String::as_str)) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None if reg.organisations.is_empty() => d.with_help(
                    "this spec has no policy registry: add `policies/<organisation>.toml`",
                ),
                None => d.with_help(format!(
                    "known organisations: {}",
                    reg.org_index.keys().cloned().collect::<Vec<_>>().join(", ")
                )),
            };
            diags.push(d);
            return None;
        };
        let org = &reg.organisations[oi];
        let Some(di) = org.documents.iter().position(|d| d.id == doc_id) else {
            let mut d = Diagnostic::new(
                Code::UnknownSource,
                file,
                at.span(),
                format!("unknown document `{doc_id}` of `{org_id}`"),
            )
            .with_label("not in the policy registry");
            d = match self.suggest(doc_id, org.documents.iter().map(|d| d.id.as_str())) {
                Some(s) => d.with_help(format!("did you mean `{org_id}/{s}`?")),
                None => d.with_help(format!(
                    "`policies/{org_id}.toml` lists: {}",
                    org.documents
                        .iter()
                        .map(|d| d.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
            diags.push(d);
            return None;
        };
        let doc = &org.documents[di];
        // The registry's strings are shared, not copied, by every link to the document: the
        // link is one of those made once per document and section.
        let interned = &self.shared.interned.documents[oi][di];
        let Some(anchor) = section else {
            return Some(interned.whole.clone());
        };
        match doc.sections.iter().position(|s| s.anchor == anchor) {
            Some(si) => interned.sections.get(si).cloned(),
            None => {
                let mut d = Diagnostic::new(
                    Code::UnknownSource,
                    file,
                    at.span(),
                    format!("unknown section `#{anchor}` of `{org_id}/{doc_id}`"),
                )
                .with_label("not a registered section");
                d = match self.suggest(anchor, doc.sections.iter().map(|s| s.anchor.as_str())) {
                    Some(s) => d.with_help(format!("did you mean `{org_id}/{doc_id}#{s}`?")),
                    None if doc.sections.is_empty() => d.with_help(format!("`{org_id}/{doc_id}` registers no sections: cite the whole document, or add the section to `policies/{org_id}.toml`")),
                    None => d.with_help(format!("registered sections: {}", doc.sections.iter().map(|s| s.anchor.as_str()).collect::<Vec<_>>().join(", "))),
                };
                diags.push(d);
                None
            }
        }
    }

    fn item(
        &self,
        file: FileId,
        id: &str,
        at: &At<'_>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<FrameworkLink> {
        match self.shared.interned.items.get(id) {
            Some(link) => Some(link.clone()),
            None => {
                let mut d = Diagnostic::new(
                    Code::UnknownFrameworkItem,
                    file,
                    at.span(),
                    format!("unknown framework item `{id}`"),
                )
                .with_label("not in any framework file");
                d = match self.suggest(
                    id,
                    self.shared.registry.item_index.keys().map(String::as_str),
                ) {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None if self.shared.registry.frameworks.is_empty() => d.with_help(
                        "this spec has no framework registry: add `frameworks/<framework>.toml`",
                    ),
                    None => d.with_help("framework items are listed in `frameworks/*.toml`"),
                };
                diags.push(d);
                None
            }
        }
    }

    fn internal_link(
        &self,
        from: usize,
        target: &str,
        span: Range<usize>,
        diags: &mut Vec<Diagnostic>,
    ) {
        let path = target.split_once('#').map_or(target, |(p, _)| p);
        let link = ChapterLink::parse(target);
        let chapter = if link.file.is_empty() {
            Some(&self.shared.chapters[from])
        } else {
            self.shared
                .pages
                .get(&*link.file)
                .map(|&ci| &self.shared.chapters[ci])
        };
        let file = self.shared.chapters[from].file;
        let Some(ch) = chapter else {
            let mut d = Diagnostic::new(
                Code::DanglingLink,
                file,
                span,
                format!("link to `{path}`, which is not a chapter"),
            )
            .with_label("no such chapter");
            d = match self.suggest(&link.file, self.shared.pages.keys().map(String::as_str)) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help(
                    "link to a chapter file in the spec folder, e.g. `04-reporting.md#SDP-VR-01`",
                ),
            };
            diags.push(d);
            return;
        };
        if let Some(a) = link.anchor
            && !ch.anchors.iter().any(|x| !x.is_empty() && *x == a)
        {
            let mut d = Diagnostic::new(
                Code::DanglingLink,
                file,
                span,
                format!("anchor `#{a}` does not exist in `{}.md`", ch.slug),
            )
            .with_label("dangling anchor");
            let anchors = ch.anchors.iter().filter(|x| !x.is_empty());
            d = match self.suggest(&a, anchors.map(String::as_str)) {
                Some(s) => d.with_help(format!("did you mean `#{s}`?")),
                None => d.with_help("anchors are requirement IDs and the slugs of headings outside lists and quotes"),
            };
            diags.push(d);
        }
    }
}
