//! OSCAL export: the catalogue as an OSCAL 1.0.6 catalog (chapters → groups, requirements →
//! controls, cited policy documents → back-matter resources). UUIDs are v5, derived from the
//! spec id, so identical input gives byte-identical output.

use crate::catalogue::{Catalogue, ChapterInfo, RequirementEntry};
use crate::meta::Relationship;
use crate::meta::ReqStatus;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;
use uuid::Uuid;

/// OSCAL version the export follows.
pub const OSCAL_VERSION: &str = "1.0.6";
/// Namespace of specbook's own OSCAL props.
pub const NS: &str = "https://specbook.dev/ns/oscal";

fn uuid_for(spec: &str, name: &str) -> String {
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        format!("https://specbook.dev/spec/{spec}/{name}").as_bytes(),
    )
    .to_string()
}

/// Makes a token (XML NCName) from any string: invalid characters become `_`, and a leading
/// character that is not a letter gets a `_` prefix.
pub fn token(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// `last-modified`: SOURCE_DATE_EPOCH when given, else the spec date at midnight UTC, else the
/// epoch; never earlier than the spec date (`published`).
fn last_modified(cat: &Catalogue, source_date_epoch: Option<i64>) -> String {
    if let Some(s) = source_date_epoch {
        let (date, secs) = (crate::assemble::date_from_epoch(s), s.rem_euclid(86_400));
        if let Some(d) = &cat.spec.date
            && d.as_str() > date.as_str()
        {
            return format!("{d}T00:00:00Z");
        }
        return format!(
            "{date}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        );
    }
    match &cat.spec.date {
        Some(d) => format!("{d}T00:00:00Z"),
        None => "1970-01-01T00:00:00Z".into(),
    }
}

// The OSCAL document as borrowed, typed values: serialised straight to bytes, with keys in
// the order written here, so a large catalogue never exists as a JSON value tree.

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Serialize)]
struct Prop<'a> {
    name: &'static str,
    /// `true`: specbook's namespace; label and the withdrawn status are OSCAL's own.
    #[serde(
        rename = "ns",
        serialize_with = "namespace",
        skip_serializing_if = "is_false"
    )]
    ours: bool,
    value: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    class: Option<Relationship>,
}

fn namespace<S: serde::Serializer>(_: &bool, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(NS)
}

fn prop<'a>(name: &'static str, value: impl Into<Cow<'a, str>>) -> Prop<'a> {
    Prop {
        name,
        ours: true,
        value: value.into(),
        class: None,
    }
}

#[derive(Serialize)]
struct Link<'a> {
    href: String,
    rel: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<Cow<'a, str>>,
}

#[derive(Serialize)]
struct Part<'a> {
    id: String,
    name: &'static str,
    prose: &'a str,
}

#[derive(Serialize)]
struct Control<'a> {
    id: String,
    class: &'static str,
    title: &'a str,
    props: Vec<Prop<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    parts: Vec<Part<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    links: Vec<Link<'a>>,
}

#[derive(Serialize)]
struct Group<'a> {
    id: String,
    class: &'static str,
    title: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    controls: Vec<Control<'a>>,
}

#[derive(Serialize)]
struct Rlink<'a> {
    href: &'a str,
}

#[derive(Serialize)]
struct Resource<'a> {
    uuid: String,
    title: &'a str,
    props: Vec<Prop<'a>>,
    rlinks: [Rlink<'a>; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
}

#[derive(Serialize)]
struct AlternateLink<'a> {
    href: &'a str,
    rel: &'static str,
    #[serde(rename = "media-type")]
    media_type: &'static str,
}

#[derive(Serialize)]
struct Metadata<'a> {
    title: &'a str,
    #[serde(rename = "last-modified")]
    last_modified: String,
    version: &'a str,
    #[serde(rename = "oscal-version")]
    oscal_version: &'static str,
    props: [Prop<'a>; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    links: Option<[AlternateLink<'a>; 1]>,
}

#[derive(Serialize)]
struct BackMatter<'a> {
    resources: Vec<Resource<'a>>,
}

#[derive(Serialize)]
struct Catalog<'a> {
    uuid: String,
    metadata: Metadata<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    groups: Vec<Group<'a>>,
    #[serde(rename = "back-matter", skip_serializing_if = "Option::is_none")]
    back_matter: Option<BackMatter<'a>>,
}

#[derive(Serialize)]
struct Document<'a> {
    catalog: Catalog<'a>,
}

fn status_name(status: ReqStatus) -> &'static str {
    match status {
        ReqStatus::Active => "active",
        ReqStatus::Draft => "draft",
        ReqStatus::Withdrawn => "withdrawn",
    }
}

fn control<'a>(r: &'a RequirementEntry, shared: &Shared<'a>) -> Control<'a> {
    let id = shared.token(&r.id);
    let resources = &shared.resources;
    let mut props = vec![Prop {
        name: "label",
        ours: false,
        value: Cow::Borrowed(&r.id),
        class: None,
    }];
    if r.status == ReqStatus::Withdrawn {
        props.push(Prop {
            name: "status",
            ours: false,
            value: Cow::Borrowed("withdrawn"),
            class: None,
        });
    } else {
        props.push(prop("strength", r.strength.as_str()));
        props.push(prop("status", status_name(r.status)));
    }
    for k in &r.keywords {
        props.push(prop("keyword", k.as_str()));
    }
    for f in &r.frameworks {
        props.push(Prop {
            class: Some(f.relationship),
            ..prop("framework-item", &*f.id)
        });
    }
    if let Some(s) = &r.since {
        props.push(prop("since", s.as_str()));
    }
    let mut links: Vec<Link> = r
        .sources
        .iter()
        .filter_map(|s| {
            resources
                .get(&format!("{}/{}", s.organisation, s.document))
                .map(|u| Link {
                    href: format!("#{u}"),
                    rel: "reference",
                    text: Some(Cow::Borrowed(&s.target)),
                })
        })
        .collect();
    links.extend(r.frameworks.iter().filter_map(|f| {
        f.url.as_ref().map(|u| Link {
            href: u.to_string(),
            rel: "related",
            text: Some(Cow::Owned(format!("{} ({})", f.id, f.reference))),
        })
    }));
    links.extend(r.related.iter().map(|id| Link {
        href: format!("#{}", shared.token(id)),
        rel: "related",
        text: None,
    }));
    links.extend(r.replaces.iter().map(|old| Link {
        href: format!("#{}", shared.token(old)),
        rel: "moved-from",
        text: None,
    }));
    let mut parts = vec![Part {
        id: format!("{id}_smt"),
        name: "statement",
        prose: &r.statement,
    }];
    if let Some(g) = &r.rationale {
        parts.push(Part {
            id: format!("{id}_gdn"),
            name: "guidance",
            prose: g,
        });
    }
    Control {
        id,
        class: "requirement",
        title: &r.title,
        props,
        parts,
        links,
    }
}

/// A withdrawn stub for an ID that requirements' `replaces` name and no requirement carries any
/// more: OSCAL's way to keep an old control ID resolvable (`moved-to` its successors).
fn replaced<'a>(old: &'a str, successors: &[&'a str], shared: &Shared<'a>) -> Control<'a> {
    Control {
        id: shared.token(old),
        class: "requirement",
        title: old,
        props: vec![
            Prop {
                name: "label",
                ours: false,
                value: Cow::Borrowed(old),
                class: None,
            },
            Prop {
                name: "status",
                ours: false,
                value: Cow::Borrowed("withdrawn"),
                class: None,
            },
        ],
        parts: Vec::new(),
        links: successors
            .iter()
            .map(|new| Link {
                href: format!("#{}", shared.token(new)),
                rel: "moved-to",
                text: None,
            })
            .collect(),
    }
}

/// The parts of the OSCAL document that every group needs: the back-matter resources of the
/// cited documents, the lookups from document key to resource and from ID to requirement, and
/// the token of every ID and chapter.
struct Shared<'a> {
    /// `organisation/document` → the UUID of its resource.
    resources: BTreeMap<String, String>,
    back_matter: Vec<Resource<'a>>,
    by_id: BTreeMap<&'a str, &'a RequirementEntry>,
    /// Replaced IDs that no requirement carries any more → the requirements replacing them, in
    /// catalogue order; each gets a withdrawn stub after the first of them.
    replaced_by: BTreeMap<&'a str, Vec<&'a str>>,
    /// ID or `ch-<slug>` → its token, unique in the document (with the `_smt` and `_gdn`
    /// part ids made from it): [`token`] maps `AC-2(1)` and `AC-2_1_` alike, so the later
    /// one gets `_2`.
    tokens: HashMap<&'a str, String>,
    /// Chapter slug → the token of its group, `ch-<slug>`.
    group_ids: HashMap<&'a str, String>,
}

impl Shared<'_> {
    fn token(&self, id: &str) -> String {
        self.tokens.get(id).cloned().unwrap_or_else(|| token(id))
    }
}

/// `base` (a [`token`]), or `base_2`, `base_3`… when it or a part id made from it (`_smt`,
/// `_gdn`) is `taken` already; it and its part ids are then taken.
fn unique_token(base: String, taken: &mut HashSet<String>) -> String {
    let free = |t: &str, taken: &HashSet<String>| {
        !taken.contains(t)
            && !taken.contains(&format!("{t}_smt"))
            && !taken.contains(&format!("{t}_gdn"))
    };
    let mut t = base.clone();
    let mut n = 1;
    while !free(&t, taken) {
        n += 1;
        t = format!("{base}_{n}");
    }
    taken.extend([format!("{t}_smt"), format!("{t}_gdn"), t.clone()]);
    t
}

fn shared(cat: &Catalogue) -> Shared<'_> {
    let spec = &cat.spec.id;
    let mut resources = BTreeMap::new();
    let mut back_matter = Vec::new();
    for org in &cat.organisations {
        for d in &org.documents {
            let key = format!("{}/{}", org.id, d.id);
            let uuid = uuid_for(spec, &format!("resource/{key}"));
            resources.insert(key.clone(), uuid.clone());
            back_matter.push(Resource {
                uuid,
                title: &d.title,
                props: vec![prop("organisation", org.id.as_str()), prop("document", key)],
                rlinks: [Rlink { href: &d.url }],
                description: d.summary.as_deref(),
            });
        }
    }
    let by_id: BTreeMap<&str, &RequirementEntry> = cat
        .requirements
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    let mut replaced_by: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in &cat.requirements {
        for old in r
            .replaces
            .iter()
            .filter(|o| !by_id.contains_key(o.as_str()))
        {
            replaced_by.entry(old.as_str()).or_default().push(&r.id);
        }
    }
    // Tokens in document order: groups, then each requirement and the stubs after it.
    let mut taken = HashSet::new();
    let group_ids = cat
        .chapters
        .iter()
        .map(|ch| {
            let t = unique_token(token(&format!("ch-{}", ch.slug)), &mut taken);
            (ch.slug.as_str(), t)
        })
        .collect();
    let mut tokens = HashMap::new();
    for r in &cat.requirements {
        let names = std::iter::once(r.id.as_str()).chain(r.replaces.iter().map(String::as_str));
        for name in names {
            if !tokens.contains_key(name) && (name == r.id || replaced_by.contains_key(name)) {
                tokens.insert(name, unique_token(token(name), &mut taken));
            }
        }
    }
    Shared {
        resources,
        back_matter,
        by_id,
        replaced_by,
        tokens,
        group_ids,
    }
}

/// A chapter as an OSCAL group of controls.
fn group<'a>(ch: &'a ChapterInfo, shared: &Shared<'a>) -> Group<'a> {
    let mut controls = Vec::with_capacity(ch.requirements.len());
    for r in ch
        .requirements
        .iter()
        .filter_map(|id| shared.by_id.get(id.as_str()))
    {
        controls.push(control(r, shared));
        for old in &r.replaces {
            if let Some(successors) = shared.replaced_by.get(old.as_str())
                && successors.first() == Some(&r.id.as_str())
            {
                controls.push(replaced(old, successors, shared));
            }
        }
    }
    Group {
        id: shared
            .group_ids
            .get(ch.slug.as_str())
            .cloned()
            .unwrap_or_else(|| token(&format!("ch-{}", ch.slug))),
        class: "chapter",
        title: &ch.title,
        controls,
    }
}

fn metadata(cat: &Catalogue, source_date_epoch: Option<i64>) -> Metadata<'_> {
    Metadata {
        title: &cat.spec.title,
        last_modified: last_modified(cat, source_date_epoch),
        version: &cat.spec.version,
        oscal_version: OSCAL_VERSION,
        props: [prop(
            "status",
            serde_json::to_value(cat.spec.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
        )],
        published: cat.spec.date.as_ref().map(|d| format!("{d}T00:00:00Z")),
        links: cat.spec.base_url.as_deref().map(|u| {
            [AlternateLink {
                href: u,
                rel: "alternate",
                media_type: "text/html",
            }]
        }),
    }
}

/// The catalog's UUID: the same for the same document, and new whenever it is revised (OSCAL:
/// "should be changed when this document is revised"): it is derived from the spec id, its
/// metadata, its chapters, the cited documents (its back matter) and every requirement's
/// content hash.
fn catalog_uuid(cat: &Catalogue) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(serde_json::to_vec(&cat.spec).unwrap_or_default());
    h.update(serde_json::to_vec(&cat.organisations).unwrap_or_default());
    for c in &cat.chapters {
        h.update(format!("\n{}\t{}", c.slug, c.title));
    }
    for r in &cat.requirements {
        h.update(format!("\n{}\t{}\t{}", r.id, r.chapter, r.content_hash));
    }
    let digest = hex::encode(h.finalize());
    uuid_for(
        &cat.spec.id,
        &format!("catalog/{}/{digest}", cat.spec.version),
    )
}

/// The whole OSCAL document as one value (for [`catalog`]; [`write_catalog`] writes the same
/// bytes group by group).
fn document(cat: &Catalogue, source_date_epoch: Option<i64>) -> Document<'_> {
    let shared = shared(cat);
    let groups = cat.chapters.iter().map(|ch| group(ch, &shared)).collect();
    Document {
        catalog: Catalog {
            uuid: catalog_uuid(cat),
            metadata: metadata(cat, source_date_epoch),
            groups,
            back_matter: (!shared.back_matter.is_empty()).then_some(BackMatter {
                resources: shared.back_matter,
            }),
        },
    }
}

/// How many chapters' groups are serialised at once, in parallel, before they are written:
/// enough to keep every core busy, few enough that a large catalog is never held whole.
const GROUPS_AT_ONCE: usize = 64;

/// Writes the OSCAL catalog of `cat`, pretty-printed (two-space indent, final newline). The
/// groups are serialised in parallel, a batch at a time, and written in order: the bytes are
/// those of serialising [`catalog`] in one go (a test compares them).
pub fn write_catalog(
    w: &mut dyn std::io::Write,
    cat: &Catalogue,
    source_date_epoch: Option<i64>,
) -> std::io::Result<()> {
    use crate::schema::pretty_fragment;
    use rayon::prelude::*;
    let shared = shared(cat);
    // `Document` and `Catalog` field by field, laid out as `write_pretty` lays them out.
    w.write_all(b"{\n  \"catalog\": {\n    \"uuid\": ")?;
    w.write_all(&pretty_fragment(&catalog_uuid(cat), 2))?;
    w.write_all(b",\n    \"metadata\": ")?;
    w.write_all(&pretty_fragment(&metadata(cat, source_date_epoch), 2))?;
    if !cat.chapters.is_empty() {
        w.write_all(b",\n    \"groups\": [")?;
        for (batch, chapters) in cat.chapters.chunks(GROUPS_AT_ONCE).enumerate() {
            let pieces: Vec<Vec<u8>> = chapters
                .par_iter()
                .map(|ch| pretty_fragment(&group(ch, &shared), 3))
                .collect();
            for (i, piece) in pieces.iter().enumerate() {
                let first = batch == 0 && i == 0;
                w.write_all(if first { b"\n      " } else { b",\n      " })?;
                w.write_all(piece)?;
            }
        }
        w.write_all(b"\n    ]")?;
    }
    if !shared.back_matter.is_empty() {
        w.write_all(b",\n    \"back-matter\": ")?;
        let back_matter = BackMatter {
            resources: shared.back_matter,
        };
        w.write_all(&pretty_fragment(&back_matter, 2))?;
    }
    w.write_all(b"\n  }\n}\n")
}

/// The OSCAL catalog of `cat`, pretty-printed (two-space indent, final newline).
pub fn catalog_json(cat: &Catalogue, source_date_epoch: Option<i64>) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing plain structs of strings into a Vec cannot fail.
    let _ = write_catalog(&mut out, cat, source_date_epoch);
    out
}

/// The OSCAL catalog of `cat` as a JSON value (for tests and tools that edit it).
pub fn catalog(cat: &Catalogue, source_date_epoch: Option<i64>) -> Value {
    serde_json::to_value(document(cat, source_date_epoch)).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_ncnames() {
        assert_eq!(token("SDP-VR-01"), "SDP-VR-01");
        assert_eq!(token("AC-2(1)"), "AC-2_1_");
        assert_eq!(token("04-reporting"), "_04-reporting");
    }

    #[test]
    fn uuids_are_stable() {
        assert_eq!(uuid_for("sdp", "x"), uuid_for("sdp", "x"));
        assert_ne!(uuid_for("sdp", "x"), uuid_for("sdp", "y"));
    }
}
