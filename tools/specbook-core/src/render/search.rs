//! The search index, `search-index.json`: a compact JSON document (positional arrays, no
//! repeated keys) of every requirement's ID, title and statement and every chapter's title,
//! fetched by `site.js` only once a search box is focused or a query is given.

use crate::catalogue::Catalogue;
use serde::Serialize;

/// Path of the index relative to the site root.
pub(crate) const INDEX_PATH: &str = "search-index.json";

/// Format version of the index; `site.js` checks it.
const INDEX_VERSION: u32 = 1;

#[derive(Serialize)]
struct Index<'a> {
    /// Format version.
    v: u32,
    /// `[slug, title]` per chapter, in reading order.
    chapters: Vec<[&'a str; 2]>,
    /// `[id, title, statement, chapter index, strength, status]` per requirement, in reading
    /// order. The page is `req/<encodeURIComponent(id)>.html`.
    reqs: Vec<(&'a str, &'a str, &'a str, usize, &'a str, &'a str)>,
}

/// Serialises the index of `catalogue`.
pub(crate) fn index(catalogue: &Catalogue) -> Vec<u8> {
    let chapters: Vec<[&str; 2]> = catalogue
        .chapters
        .iter()
        .map(|c| [c.slug.as_str(), c.title.as_str()])
        .collect();
    let position: std::collections::BTreeMap<&str, usize> = catalogue
        .chapters
        .iter()
        .enumerate()
        .map(|(i, c)| (c.slug.as_str(), i))
        .collect();
    let reqs = catalogue
        .requirements
        .iter()
        .map(|r| {
            let chapter = position.get(r.chapter.as_str()).copied().unwrap_or(0);
            (
                r.id.as_str(),
                r.title.as_str(),
                r.statement.as_str(),
                chapter,
                r.strength.as_str(),
                status(r.status),
            )
        })
        .collect();
    let index = Index {
        v: INDEX_VERSION,
        chapters,
        reqs,
    };
    serde_json::to_vec(&index).unwrap_or_default()
}

fn status(s: crate::meta::ReqStatus) -> &'static str {
    match s {
        crate::meta::ReqStatus::Active => "active",
        crate::meta::ReqStatus::Draft => "draft",
        crate::meta::ReqStatus::Withdrawn => "withdrawn",
    }
}
