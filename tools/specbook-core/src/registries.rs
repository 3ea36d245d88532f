//! Stage 3a, registries: decodes `policies/*.toml` and `frameworks/*.toml` against their schemas
//! into a [`Registry`] with lookup maps. Citing into a missing registry is caught by `link`.

use crate::diag::{Code, Diagnostic};
use crate::registry::{Document, Framework, FrameworkItem, Organisation};
use crate::schema::{self, Kind};
use crate::source::{FileId, SourceMap};
use crate::toml_json;
use std::collections::BTreeMap;
use std::ops::Range;

/// Every organisation and framework, with where each entry was defined.
#[derive(Debug, Default, Clone)]
pub struct Registry {
    /// Organisations in file order.
    pub organisations: Vec<Organisation>,
    /// Frameworks in file order.
    pub frameworks: Vec<Framework>,
    /// Organisation id → index.
    pub org_index: BTreeMap<String, usize>,
    /// Framework item id → (framework index, item index).
    pub item_index: BTreeMap<String, (usize, usize)>,
    /// `org/doc` → definition place (for "uncited document" notes).
    pub doc_places: BTreeMap<String, (FileId, Range<usize>)>,
    /// Framework item id → definition place.
    pub item_places: BTreeMap<String, (FileId, Range<usize>)>,
}

impl Registry {
    /// Looks up `org/doc`.
    pub fn document(&self, org: &str, doc: &str) -> Option<(&Organisation, &Document)> {
        let o = &self.organisations[*self.org_index.get(org)?];
        o.documents.iter().find(|d| d.id == doc).map(|d| (o, d))
    }

    /// Looks up a framework item.
    pub fn item(&self, id: &str) -> Option<(&Framework, &FrameworkItem)> {
        let (f, i) = *self.item_index.get(id)?;
        let fw = &self.frameworks[f];
        Some((fw, &fw.items[i]))
    }
}

fn decode<T: serde::de::DeserializeOwned>(
    sources: &SourceMap,
    file: FileId,
    kind: Kind,
    what: &str,
) -> (Option<(T, toml_json::SpannedJson)>, Vec<Diagnostic>) {
    let text = &sources.get(file).text;
    let doc = match toml_json::parse(text) {
        Ok(d) => d,
        Err(e) => {
            return (
                None,
                vec![
                    Diagnostic::new(
                        Code::RegistryInvalid,
                        file,
                        e.span,
                        format!("invalid TOML in {what}: {}", e.message),
                    )
                    .with_help("fix the TOML syntax"),
                ],
            );
        }
    };
    let diags = toml_json::validate(
        schema::validator(kind),
        &doc,
        file,
        0,
        Code::RegistryInvalid,
        what,
    );
    // Keep an entry that still decodes (e.g. one item lacks a reason) so that citations of it do
    // not cascade into "unknown" errors; the schema errors above already fail the build.
    match serde_json::from_value(doc.value.clone()) {
        Ok(v) => (Some((v, doc)), diags),
        Err(_) if !diags.is_empty() => (None, diags),
        Err(e) => (
            None,
            vec![Diagnostic::new(
                Code::RegistryInvalid,
                file,
                0..0,
                format!("{what}: {e}"),
            )],
        ),
    }
}

/// Decodes every registry file.
pub fn load(
    sources: &SourceMap,
    policies: &[FileId],
    frameworks: &[FileId],
) -> (Registry, Vec<Diagnostic>) {
    let mut reg = Registry::default();
    let mut diags = Vec::new();
    let mut org_places: BTreeMap<String, (FileId, Range<usize>)> = BTreeMap::new();
    for &file in policies {
        let (org, d) =
            decode::<Organisation>(sources, file, Kind::Policies, "policy registry file");
        diags.extend(d);
        let Some((org, doc)) = org else { continue };
        let stem = stem(&sources.get(file).path);
        let id_span = doc.spans_of("/id").value;
        if org.id != stem {
            diags.push(
                Diagnostic::new(
                    Code::RegistryInvalid,
                    file,
                    id_span.clone(),
                    format!(
                        "organisation id `{}` differs from the file name `{stem}.toml`",
                        org.id
                    ),
                )
                .with_help(format!(
                    "rename the file to `{}.toml` or set `id = \"{stem}\"`",
                    org.id
                )),
            );
        }
        if let Some((f, s)) = org_places.get(&org.id) {
            diags.push(
                Diagnostic::new(
                    Code::DuplicateId,
                    file,
                    id_span.clone(),
                    format!("organisation `{}` is defined twice", org.id),
                )
                .with_secondary(*f, s.clone(), "first defined here")
                .with_help("give each organisation one file"),
            );
            continue;
        }
        org_places.insert(org.id.clone(), (file, id_span));
        let mut seen: BTreeMap<&str, Range<usize>> = BTreeMap::new();
        for (i, d) in org.documents.iter().enumerate() {
            let span = doc.spans_of(&format!("/documents/{i}/id")).value;
            if let Some(first) = seen.get(d.id.as_str()) {
                diags.push(
                    Diagnostic::new(
                        Code::DuplicateId,
                        file,
                        span,
                        format!("document `{}` is listed twice", d.id),
                    )
                    .with_secondary(file, first.clone(), "first listed here")
                    .with_help("remove one of the two entries"),
                );
                continue;
            }
            seen.insert(&d.id, span.clone());
            reg.doc_places
                .insert(format!("{}/{}", org.id, d.id), (file, span));
        }
        reg.org_index
            .insert(org.id.clone(), reg.organisations.len());
        reg.organisations.push(org);
    }
    for &file in frameworks {
        let (fw, d) = decode::<Framework>(sources, file, Kind::Framework, "framework file");
        diags.extend(d);
        let Some((fw, doc)) = fw else { continue };
        let stem = stem(&sources.get(file).path);
        if fw.id != stem {
            diags.push(
                Diagnostic::new(
                    Code::RegistryInvalid,
                    file,
                    doc.spans_of("/id").value,
                    format!(
                        "framework id `{}` differs from the file name `{stem}.toml`",
                        fw.id
                    ),
                )
                .with_help(format!("set `id = \"{stem}\"`")),
            );
        }
        let fi = reg.frameworks.len();
        for (ii, item) in fw.items.iter().enumerate() {
            let span = doc.spans_of(&format!("/items/{ii}/id")).value;
            if let Some((f, s)) = reg.item_places.get(&item.id) {
                diags.push(
                    Diagnostic::new(
                        Code::DuplicateId,
                        file,
                        span,
                        format!("framework item `{}` is defined twice", item.id),
                    )
                    .with_secondary(*f, s.clone(), "first defined here")
                    .with_help("item ids are unique across all frameworks"),
                );
                continue;
            }
            reg.item_places.insert(item.id.clone(), (file, span));
            reg.item_index.insert(item.id.clone(), (fi, ii));
        }
        reg.frameworks.push(fw);
    }
    (reg, diags)
}

fn stem(path: &str) -> String {
    path.rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".toml")
        .to_string()
}
