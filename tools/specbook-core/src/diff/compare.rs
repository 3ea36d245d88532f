//! The comparison: matches requirements by ID (then declared renames, then detected renames),
//! classifies each change, and aligns the normative sentences outside requirements.

use super::words::{self, normalised_words, round2, similarity_of};
use super::{
    Change, ChangeKind, MetaField, MetadataChange, Problem, ProblemCode, Rename, Snapshot,
    StatementChange, StatementSnapshot, StrengthChange, StrengthDelta, TextChange, TextField,
};
use crate::catalogue::{Catalogue, RequirementEntry, UnidentifiedStatement};
use crate::meta::{Relationship, ReqStatus};
use foldhash::{HashMap, HashMapExt};
use std::collections::BTreeMap;

/// Below this word similarity, a vanished ID and a new ID are not a rename.
pub const RENAME_SIMILARITY: f64 = 0.8;
/// Most candidate pairs compared when aligning across a whole spec.
const MAX_PAIRS: usize = 1_000_000;

/// What [`compare`] finds, before a lens is applied.
#[derive(Clone, Debug, Default)]
pub struct Comparison {
    /// Changed requirements, in reading order.
    pub changes: Vec<Change>,
    /// Changed sentences outside requirements, in reading order.
    pub statements: Vec<StatementChange>,
    /// Lost IDs.
    pub problems: Vec<Problem>,
    /// Requirements matched without any change.
    pub unchanged: usize,
}

/// Compares two catalogues.
pub fn compare(old: &Catalogue, new: &Catalogue) -> Comparison {
    let olds = &old.requirements;
    let news = &new.requirements;
    let old_idx = first_index(olds);
    let new_idx = first_index(news);

    // Pairs (old, new, rename) and which entries they use.
    let mut pairs: Vec<(Option<usize>, Option<usize>, Option<Rename>)> = Vec::new();
    let mut old_used = vec![false; olds.len()];
    let mut new_used = vec![false; news.len()];
    for (ni, n) in news.iter().enumerate() {
        if new_idx.get(n.id.as_str()) != Some(&ni) {
            continue; // a duplicate ID; the pipeline reports it
        }
        if let Some(&oi) = old_idx.get(n.id.as_str()) {
            pairs.push((Some(oi), Some(ni), None));
            old_used[oi] = true;
            new_used[ni] = true;
        }
    }
    // Declared renames and merges: each old ID that a new requirement's `replaces` names, and
    // that no requirement of the new version carries any more, went into that requirement,
    // whether it kept an ID of its own (`X-1` absorbs `X-2`) or is new (`X-3` replaces both).
    let mut declared_into: HashMap<usize, Vec<String>> = HashMap::new();
    for (ni, n) in news.iter().enumerate() {
        if new_idx.get(n.id.as_str()) != Some(&ni) {
            continue;
        }
        for r in &n.replaces {
            let Some(&oi) = old_idx.get(r.as_str()) else {
                continue;
            };
            if old_used[oi] || new_idx.contains_key(r.as_str()) {
                continue; // kept (as itself or its tombstone), or declared twice
            }
            let sim = similarity_of(&req_words(&olds[oi]), &req_words(n));
            pairs.push((
                Some(oi),
                Some(ni),
                Some(Rename {
                    declared: true,
                    similarity: round2(sim),
                }),
            ));
            declared_into.entry(ni).or_default().push(r.clone());
            old_used[oi] = true;
            new_used[ni] = true;
        }
    }
    // Detected renames: a vanished ID and a new ID with nearly the same title and statement.
    let vanished: Vec<usize> = (0..olds.len())
        .filter(|&i| !old_used[i] && olds[i].status != ReqStatus::Withdrawn)
        .filter(|&i| old_idx.get(olds[i].id.as_str()) == Some(&i))
        .collect();
    let appeared: Vec<usize> = (0..news.len())
        .filter(|&i| !new_used[i] && new_idx.get(news[i].id.as_str()) == Some(&i))
        .collect();
    let mut problems = Vec::new();
    if !vanished.is_empty() && !appeared.is_empty() && vanished.len() * appeared.len() <= MAX_PAIRS
    {
        let vw: Vec<Vec<String>> = vanished.iter().map(|&i| req_words(&olds[i])).collect();
        let aw: Vec<Vec<String>> = appeared.iter().map(|&i| req_words(&news[i])).collect();
        let mut candidates = Vec::new();
        for (a, oi) in vanished.iter().enumerate() {
            for (b, ni) in appeared.iter().enumerate() {
                if vw[a].is_empty() || aw[b].is_empty() {
                    continue;
                }
                let sim = similarity_of(&vw[a], &aw[b]);
                if sim >= RENAME_SIMILARITY {
                    candidates.push((sim, *oi, *ni));
                }
            }
        }
        candidates.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
        for (sim, oi, ni) in candidates {
            if old_used[oi] || new_used[ni] {
                continue;
            }
            old_used[oi] = true;
            new_used[ni] = true;
            let (from, to) = (&olds[oi].id, &news[ni].id);
            problems.push(Problem {
                code: ProblemCode::UndeclaredRename,
                id: Some(from.clone()),
                message: format!(
                    "`{from}` was renamed to `{to}` ({}% similar) without a declaration, so the ID `{from}` was lost",
                    (sim * 100.0).round()
                ),
                help: format!(
                    "add `replaces = \"{from}\"` to the req block of `{to}` (IDs never disappear)"
                ),
            });
            pairs.push((
                Some(oi),
                Some(ni),
                Some(Rename {
                    declared: false,
                    similarity: round2(sim),
                }),
            ));
        }
    }
    for (oi, used) in old_used.iter().enumerate() {
        if !used && old_idx.get(olds[oi].id.as_str()) == Some(&oi) {
            let id = &olds[oi].id;
            let what = if olds[oi].status == ReqStatus::Withdrawn {
                "its tombstone"
            } else {
                "a tombstone"
            };
            problems.push(Problem {
                code: ProblemCode::RemovedWithoutTombstone,
                id: Some(id.clone()),
                message: format!("requirement `{id}` was removed without {what}: IDs must never disappear"),
                help: format!(
                    "keep `{id}` with `status = \"withdrawn\"` in its req block, or add `replaces = \"{id}\"` to the requirement that took its place"
                ),
            });
            pairs.push((Some(oi), None, None));
        }
    }
    for (ni, used) in new_used.iter().enumerate() {
        if !used && new_idx.get(news[ni].id.as_str()) == Some(&ni) {
            pairs.push((None, Some(ni), None));
        }
    }

    // Reading order: by new position; removed ones after the requirement that preceded them.
    let mut old_to_new: BTreeMap<usize, usize> = BTreeMap::new();
    for (o, n, r) in &pairs {
        if let (Some(o), Some(n)) = (o, n)
            && (r.is_none() || !old_to_new.contains_key(o))
        {
            old_to_new.insert(*o, *n);
        }
    }
    let key = |o: Option<usize>, n: Option<usize>| match (o, n) {
        (_, Some(n)) => (n + 1, 0, 0),
        (Some(o), None) => {
            let before = old_to_new.range(..o).next_back().map_or(0, |(_, n)| n + 1);
            (before, 1, o)
        }
        (None, None) => (0, 0, 0),
    };
    pairs.sort_by_key(|(o, n, _)| key(*o, *n));

    // Each pair is compared on its own, in parallel; `collect` keeps the reading order.
    let (compared, statements) = rayon::join(
        || {
            use rayon::prelude::*;
            pairs
                .into_par_iter()
                .map(|(o, n, rename)| {
                    let declared = n
                        .and_then(|i| declared_into.get(&i))
                        .map_or(&[][..], Vec::as_slice);
                    let o = o.map(|i| (&olds[i], old));
                    let n = n.map(|i| (&news[i], new));
                    change(o, n, rename, declared)
                })
                .collect::<Vec<_>>()
        },
        || statements(old, new),
    );
    let pairs = compared.len();
    let changes: Vec<Change> = compared.into_iter().flatten().collect();
    Comparison {
        unchanged: pairs - changes.len(),
        changes,
        statements,
        problems,
    }
}

fn first_index(reqs: &[RequirementEntry]) -> HashMap<&str, usize> {
    let mut map = HashMap::new();
    for (i, r) in reqs.iter().enumerate() {
        map.entry(r.id.as_str()).or_insert(i);
    }
    map
}

fn req_words(r: &RequirementEntry) -> Vec<String> {
    let mut w = normalised_words(&r.title);
    w.extend(normalised_words(&r.statement));
    w
}

/// The requirement as the diff shows it.
pub(crate) fn snapshot(r: &RequirementEntry, cat: &Catalogue) -> Snapshot {
    let rel = |target: &str, rel: Relationship| {
        if rel == Relationship::default() {
            target.to_string()
        } else {
            let r = serde_json::to_value(rel)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            format!("{target} ({r})")
        }
    };
    Snapshot {
        id: r.id.clone(),
        title: r.title.clone(),
        strength: r.strength,
        keywords: r.keywords.clone(),
        statement: r.statement.clone(),
        rationale: r.rationale.clone(),
        chapter: r.chapter.clone(),
        chapter_title: cat
            .chapters
            .iter()
            .find(|c| c.slug == r.chapter)
            .map_or_else(String::new, |c| c.title.clone()),
        section: r.section.clone(),
        status: r.status,
        since: r.since.clone(),
        replaces: r.replaces.clone(),
        related: r.related.clone(),
        links: r.links.clone(),
        sources: r
            .sources
            .iter()
            .map(|s| rel(&s.target, s.relationship))
            .collect(),
        frameworks: r
            .frameworks
            .iter()
            .map(|f| rel(&f.id, f.relationship))
            .collect(),
        organisations: r.organisations.clone(),
        extra: r.extra.clone(),
        permalink: r.permalink.clone(),
        source: r.source.clone(),
        content_hash: r.content_hash.clone(),
    }
}

fn status_name(s: ReqStatus) -> String {
    match s {
        ReqStatus::Active => "active",
        ReqStatus::Draft => "draft",
        ReqStatus::Withdrawn => "withdrawn",
    }
    .into()
}

fn list_change(field: MetaField, old: Vec<String>, new: Vec<String>) -> Option<MetadataChange> {
    let (mut a, mut b) = (old.clone(), new.clone());
    a.sort();
    b.sort();
    if a == b {
        return None;
    }
    let added = new.iter().filter(|v| !old.contains(v)).cloned().collect();
    let removed = old.iter().filter(|v| !new.contains(v)).cloned().collect();
    Some(MetadataChange {
        field,
        old,
        new,
        added,
        removed,
    })
}

/// The metadata changes from `o` to `n`; `declared` lists the old IDs that went into `n` by its
/// `replaces` in this comparison.
fn metadata(o: &Snapshot, n: &Snapshot, declared: &[String]) -> Vec<MetadataChange> {
    let extra =
        |s: &Snapshot| -> Vec<String> { s.extra.iter().map(|(k, v)| format!("{k}={v}")).collect() };
    let mut out: Vec<MetadataChange> = [
        list_change(
            MetaField::Status,
            vec![status_name(o.status)],
            vec![status_name(n.status)],
        ),
        list_change(
            MetaField::Since,
            o.since.iter().cloned().collect(),
            n.since.iter().cloned().collect(),
        ),
        list_change(MetaField::Replaces, o.replaces.clone(), n.replaces.clone()),
        list_change(MetaField::Related, o.related.clone(), n.related.clone()),
        list_change(MetaField::Sources, o.sources.clone(), n.sources.clone()),
        list_change(
            MetaField::Frameworks,
            o.frameworks.clone(),
            n.frameworks.clone(),
        ),
        list_change(MetaField::Extra, extra(o), extra(n)),
        // Compared only when both catalogues recorded them.
        o.links
            .as_ref()
            .zip(n.links.as_ref())
            .and_then(|(a, b)| list_change(MetaField::Links, a.clone(), b.clone())),
    ]
    .into_iter()
    .flatten()
    .collect();
    // Declaring a rename or merge is part of it, not a metadata change.
    out.retain(|m| {
        !(m.field == MetaField::Replaces
            && m.removed.is_empty()
            && m.added.iter().all(|a| declared.contains(a)))
    });
    out
}

fn text_change(field: TextField, old: Option<&str>, new: Option<&str>) -> Option<TextChange> {
    if old == new {
        return None;
    }
    let (a, b) = (old.unwrap_or(""), new.unwrap_or(""));
    Some(TextChange {
        field,
        editorial: old.is_some() && new.is_some() && words::editorial(a, b),
        old: old.map(str::to_string),
        new: new.map(str::to_string),
        segments: words::segments(a, b),
    })
}

/// Whether a requirement kept its ID and is the same in every respect the diff compares: its
/// text, strength and keywords, metadata and place, field by field. Most requirements of two
/// versions are unchanged, and this spares them the snapshots and comparisons. The content hash
/// is not consulted: a catalogue checked for comparing has none (they are made only for the
/// snapshots of changed requirements, see [`super::side::compare_sides`]), and a hash also
/// tells apart mappings that only differ in how they are written.
fn unchanged(o: &RequirementEntry, n: &RequirementEntry) -> bool {
    let same_sources = o
        .sources
        .iter()
        .map(|s| (&s.target, s.relationship))
        .eq(n.sources.iter().map(|s| (&s.target, s.relationship)));
    let same_frameworks = o
        .frameworks
        .iter()
        .map(|f| (&f.id, f.relationship))
        .eq(n.frameworks.iter().map(|f| (&f.id, f.relationship)));
    o.id == n.id
        && o.title == n.title
        && o.statement == n.statement
        && o.rationale == n.rationale
        && o.strength == n.strength
        && o.keywords == n.keywords
        && o.status == n.status
        && o.since == n.since
        && o.replaces == n.replaces
        && o.related == n.related
        && (o.links == n.links || o.links.is_none() || n.links.is_none())
        && o.extra == n.extra
        && o.chapter == n.chapter
        && o.section == n.section
        && o.organisations == n.organisations
        && same_sources
        && same_frameworks
}

fn same_place(o: &Snapshot, n: &Snapshot) -> bool {
    let norm =
        |s: &[String]| -> Vec<Vec<String>> { s.iter().map(|t| normalised_words(t)).collect() };
    let same_chapter = o.chapter == n.chapter
        || (!o.chapter_title.is_empty()
            && normalised_words(&o.chapter_title) == normalised_words(&n.chapter_title));
    same_chapter && norm(&o.section) == norm(&n.section)
}

fn change(
    o: Option<(&RequirementEntry, &Catalogue)>,
    n: Option<(&RequirementEntry, &Catalogue)>,
    rename: Option<Rename>,
    declared: &[String],
) -> Option<Change> {
    if let (Some((or, _)), Some((nr, _)), None) = (o, n, &rename)
        && unchanged(or, nr)
    {
        return None;
    }
    let old = o.map(|(r, c)| snapshot(r, c));
    let new = n.map(|(r, c)| snapshot(r, c));
    let (os, ns) = match (&old, &new) {
        (Some(os), Some(ns)) => (os, ns),
        (None, Some(ns)) => {
            return Some(simple(ns.id.clone(), ChangeKind::Added, old, new));
        }
        (Some(os), None) => {
            return Some(simple(os.id.clone(), ChangeKind::Removed, old, new));
        }
        (None, None) => return None,
    };
    let text: Vec<TextChange> = [
        text_change(TextField::Title, Some(&os.title), Some(&ns.title)),
        text_change(
            TextField::Statement,
            Some(&os.statement),
            Some(&ns.statement),
        ),
        text_change(
            TextField::Rationale,
            os.rationale.as_deref(),
            ns.rationale.as_deref(),
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    let strength =
        (os.strength != ns.strength || os.keywords != ns.keywords).then(|| StrengthDelta {
            old: os.strength,
            new: ns.strength,
            old_keywords: os.keywords.clone(),
            new_keywords: ns.keywords.clone(),
        });
    let metadata = metadata(os, ns, declared);
    let withdrawn = os.status != ReqStatus::Withdrawn && ns.status == ReqStatus::Withdrawn;
    let modified = !withdrawn && (!text.is_empty() || strength.is_some() || !metadata.is_empty());
    let mut kinds = Vec::new();
    if withdrawn {
        kinds.push(ChangeKind::Withdrawn);
    }
    if rename.is_some() {
        kinds.push(ChangeKind::Renamed);
    }
    if modified {
        kinds.push(ChangeKind::Modified);
    }
    if !same_place(os, ns) {
        kinds.push(ChangeKind::Moved);
    }
    let kind = *kinds.first()?;
    let strength_change = if withdrawn {
        StrengthChange::None
    } else {
        StrengthChange::of(os.strength, ns.strength)
    };
    let editorial = kinds == [ChangeKind::Modified]
        && strength.is_none()
        && metadata.is_empty()
        && text.iter().all(|t| t.editorial);
    Some(Change {
        id: ns.id.clone(),
        old_id: rename.as_ref().map(|_| os.id.clone()),
        kind,
        kinds,
        strength_change,
        editorial,
        old,
        new,
        rename,
        strength,
        text,
        metadata,
    })
}

fn simple(id: String, kind: ChangeKind, old: Option<Snapshot>, new: Option<Snapshot>) -> Change {
    Change {
        id,
        old_id: None,
        kind,
        kinds: vec![kind],
        strength_change: StrengthChange::None,
        editorial: false,
        old,
        new,
        rename: None,
        strength: None,
        text: Vec::new(),
        metadata: Vec::new(),
    }
}

// ---------------------------------------------------------------- statements outside requirements

fn statement_snapshot(p: &Prepared<'_>) -> StatementSnapshot {
    let s = p.s;
    StatementSnapshot {
        text: s.text.clone(),
        keywords: s.keywords.clone(),
        strength: s.strength,
        chapter: s.chapter.clone(),
        chapter_title: p.chapter_title.to_string(),
        section: s.section.clone(),
        source: s.source.clone(),
    }
}

struct Prepared<'a> {
    s: &'a UnidentifiedStatement,
    /// The title of its chapter in its own catalogue.
    chapter_title: &'a str,
    words: Vec<String>,
    section: (String, Vec<Vec<String>>),
}

fn prepare(cat: &Catalogue) -> Vec<Prepared<'_>> {
    let titles: HashMap<&str, &str> = cat
        .chapters
        .iter()
        .map(|c| (c.slug.as_str(), c.title.as_str()))
        .collect();
    cat.unidentified
        .iter()
        .map(|s| Prepared {
            s,
            chapter_title: titles.get(s.chapter.as_str()).copied().unwrap_or(""),
            words: normalised_words(&s.text),
            section: (
                s.chapter.clone(),
                s.section.iter().map(|t| normalised_words(t)).collect(),
            ),
        })
        .collect()
}

/// Aligns the sentences of two sides: identical text first (same section, then anywhere), then
/// by similarity within the section, the chapter, and the whole spec.
fn statements(old: &Catalogue, new: &Catalogue) -> Vec<StatementChange> {
    let po = prepare(old);
    let pn = prepare(new);
    let mut old_of: Vec<Option<(usize, f64)>> = vec![None; pn.len()];
    let mut old_used = vec![false; po.len()];

    // Identical text.
    for same_section in [true, false] {
        let mut by_text: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, p) in po.iter().enumerate().rev() {
            if !old_used[i] {
                by_text.entry(p.s.text.as_str()).or_default().push(i);
            }
        }
        for (ni, p) in pn.iter().enumerate() {
            if old_of[ni].is_some() {
                continue;
            }
            if let Some(list) = by_text.get_mut(p.s.text.as_str()) {
                let pos = list.iter().rposition(|&oi| {
                    !old_used[oi] && (!same_section || po[oi].section == p.section)
                });
                if let Some(pos) = pos {
                    let oi = list.remove(pos);
                    old_used[oi] = true;
                    old_of[ni] = Some((oi, 1.0));
                }
            }
        }
    }
    // Similar text, ever wider.
    type Scope = fn(&Prepared<'_>) -> String;
    let scopes: [(Scope, f64); 3] = [
        (|p| format!("{}\u{0}{:?}", p.section.0, p.section.1), 0.5),
        (|p| p.section.0.clone(), 0.6),
        (|_| String::new(), 0.7),
    ];
    for (scope, threshold) in scopes {
        let mut groups: BTreeMap<String, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
        for (i, p) in po.iter().enumerate() {
            if !old_used[i] {
                groups.entry(scope(p)).or_default().0.push(i);
            }
        }
        for (i, p) in pn.iter().enumerate() {
            if old_of[i].is_none() {
                groups.entry(scope(p)).or_default().1.push(i);
            }
        }
        for (os, ns) in groups.values() {
            if os.is_empty() || ns.is_empty() || os.len() * ns.len() > MAX_PAIRS {
                continue;
            }
            let mut candidates = Vec::new();
            for &oi in os {
                for &ni in ns {
                    let sim = similarity_of(&po[oi].words, &pn[ni].words);
                    if sim >= threshold {
                        candidates.push((sim, oi, ni));
                    }
                }
            }
            candidates.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
            for (sim, oi, ni) in candidates {
                if !old_used[oi] && old_of[ni].is_none() {
                    old_used[oi] = true;
                    old_of[ni] = Some((oi, sim));
                }
            }
        }
    }

    // Reading order, removed ones after their predecessor.
    let mut new_of_old: BTreeMap<usize, usize> = BTreeMap::new();
    for (ni, o) in old_of.iter().enumerate() {
        if let Some((oi, _)) = o {
            new_of_old.insert(*oi, ni);
        }
    }
    let mut items: Vec<((usize, usize, usize), StatementChange)> = Vec::new();
    for (ni, o) in old_of.iter().enumerate() {
        let n = &pn[ni];
        let change = match o {
            None => Some(simple_statement(ChangeKind::Added, None, Some(n))),
            Some((oi, sim)) => statement_change(&po[*oi], n, *sim),
        };
        if let Some(c) = change {
            items.push(((ni + 1, 0, 0), c));
        }
    }
    for (oi, used) in old_used.iter().enumerate() {
        if !used {
            let before = new_of_old.range(..oi).next_back().map_or(0, |(_, n)| n + 1);
            items.push((
                (before, 1, oi),
                simple_statement(ChangeKind::Removed, Some(&po[oi]), None),
            ));
        }
    }
    items.sort_by_key(|(k, _)| *k);
    items.into_iter().map(|(_, c)| c).collect()
}

fn simple_statement(
    kind: ChangeKind,
    old: Option<&Prepared<'_>>,
    new: Option<&Prepared<'_>>,
) -> StatementChange {
    StatementChange {
        kind,
        kinds: vec![kind],
        strength_change: StrengthChange::None,
        editorial: false,
        similarity: None,
        old: old.map(statement_snapshot),
        new: new.map(statement_snapshot),
        strength: None,
        segments: Vec::new(),
    }
}

fn statement_change(o: &Prepared<'_>, n: &Prepared<'_>, sim: f64) -> Option<StatementChange> {
    let modified = o.s.text != n.s.text;
    let moved = o.section != n.section;
    let mut kinds = Vec::new();
    if modified {
        kinds.push(ChangeKind::Modified);
    }
    if moved {
        kinds.push(ChangeKind::Moved);
    }
    let kind = *kinds.first()?;
    let strength =
        (o.s.strength != n.s.strength || o.s.keywords != n.s.keywords).then(|| StrengthDelta {
            old: o.s.strength,
            new: n.s.strength,
            old_keywords: o.s.keywords.clone(),
            new_keywords: n.s.keywords.clone(),
        });
    let editorial = kinds == [ChangeKind::Modified] && words::editorial(&o.s.text, &n.s.text);
    Some(StatementChange {
        kind,
        kinds,
        strength_change: StrengthChange::of(o.s.strength, n.s.strength),
        editorial,
        similarity: Some(round2(sim)),
        old: Some(statement_snapshot(o)),
        new: Some(statement_snapshot(n)),
        strength,
        segments: if modified {
            words::segments(&o.s.text, &n.s.text)
        } else {
            Vec::new()
        },
    })
}
