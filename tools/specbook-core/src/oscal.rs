//! OSCAL export: the catalogue as an OSCAL 1.0.6 catalog (chapters → groups, requirements →
//! controls, cited policy documents → back-matter resources). UUIDs are v5, derived from the
//! spec id, so identical input gives byte-identical output.

use crate::catalogue::{Catalogue, RequirementEntry};
use crate::meta::ReqStatus;
use serde_json::{Value, json};
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

/// `last-modified`: SOURCE_DATE_EPOCH when given, else the spec date at midnight UTC, else the epoch.
fn last_modified(cat: &Catalogue, source_date_epoch: Option<i64>) -> String {
    if let Some(s) = source_date_epoch {
        let (date, secs) = (crate::assemble::date_from_epoch(s), s.rem_euclid(86_400));
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

fn prop(name: &str, value: &str) -> Value {
    json!({"name": name, "ns": NS, "value": value})
}

fn control(r: &RequirementEntry, resources: &BTreeMap<String, String>) -> Value {
    let id = token(&r.id);
    let mut props = vec![json!({"name": "label", "value": r.id})];
    if r.status == ReqStatus::Withdrawn {
        props.push(json!({"name": "status", "value": "withdrawn"}));
    } else {
        props.push(prop("strength", r.strength.as_str()));
        props.push(prop(
            "status",
            match r.status {
                ReqStatus::Active => "active",
                ReqStatus::Draft => "draft",
                ReqStatus::Withdrawn => "withdrawn",
            },
        ));
    }
    for k in &r.keywords {
        props.push(prop("keyword", k));
    }
    for f in &r.frameworks {
        let mut p = prop("framework-item", &f.id);
        p["class"] = json!(serde_json::to_value(f.relationship).unwrap_or_default());
        props.push(p);
    }
    if let Some(s) = &r.since {
        props.push(prop("since", s));
    }
    let mut links: Vec<Value> = r
        .sources
        .iter()
        .filter_map(|s| {
            resources
                .get(&format!("{}/{}", s.organisation, s.document))
                .map(|u| json!({"href": format!("#{u}"), "rel": "reference", "text": s.target}))
        })
        .collect();
    links.extend(r.frameworks.iter().filter_map(|f| {
        f.url.as_ref().map(
            |u| json!({"href": u, "rel": "related", "text": format!("{} ({})", f.id, f.reference)}),
        )
    }));
    links.extend(
        r.related
            .iter()
            .map(|id| json!({"href": format!("#{}", token(id)), "rel": "related"})),
    );
    for old in &r.replaces {
        links.push(json!({"href": format!("#{}", token(old)), "rel": "moved-from"}));
    }
    let mut parts =
        vec![json!({"id": format!("{id}_smt"), "name": "statement", "prose": r.statement})];
    if let Some(g) = &r.rationale {
        parts.push(json!({"id": format!("{id}_gdn"), "name": "guidance", "prose": g}));
    }
    let mut c =
        json!({"id": id, "class": "requirement", "title": r.title, "props": props, "parts": parts});
    if !links.is_empty() {
        c["links"] = Value::Array(links);
    }
    c
}

/// The OSCAL catalog of `cat`.
pub fn catalog(cat: &Catalogue, source_date_epoch: Option<i64>) -> Value {
    let spec = &cat.spec.id;
    let mut resources = BTreeMap::new();
    let mut back_matter = Vec::new();
    for org in &cat.organisations {
        for d in &org.documents {
            let key = format!("{}/{}", org.id, d.id);
            let uuid = uuid_for(spec, &format!("resource/{key}"));
            resources.insert(key.clone(), uuid.clone());
            let mut res = json!({
                "uuid": uuid,
                "title": d.title,
                "props": [prop("organisation", &org.id), prop("document", &key)],
                "rlinks": [{"href": d.url}],
            });
            if let Some(s) = &d.summary {
                res["description"] = json!(s);
            }
            back_matter.push(res);
        }
    }
    let by_id: BTreeMap<&str, &RequirementEntry> = cat
        .requirements
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    let groups: Vec<Value> = cat
        .chapters
        .iter()
        .map(|ch| {
            let controls: Vec<Value> = ch.requirements.iter().filter_map(|id| by_id.get(id.as_str())).map(|r| control(r, &resources)).collect();
            let mut g = json!({"id": token(&format!("ch-{}", ch.slug)), "class": "chapter", "title": ch.title});
            if !controls.is_empty() {
                g["controls"] = Value::Array(controls);
            }
            g
        })
        .collect();
    let mut metadata = json!({
        "title": cat.spec.title,
        "last-modified": last_modified(cat, source_date_epoch),
        "version": cat.spec.version,
        "oscal-version": OSCAL_VERSION,
        "props": [prop("status", &serde_json::to_value(cat.spec.status).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default())],
    });
    if let Some(d) = &cat.spec.date {
        metadata["published"] = json!(format!("{d}T00:00:00Z"));
    }
    if let Some(u) = &cat.spec.base_url {
        metadata["links"] = json!([{"href": u, "rel": "alternate", "media-type": "text/html"}]);
    }
    let mut catalog = json!({"uuid": uuid_for(spec, &format!("catalog/{}", cat.spec.version)), "metadata": metadata});
    if !groups.is_empty() {
        catalog["groups"] = Value::Array(groups);
    }
    if !back_matter.is_empty() {
        catalog["back-matter"] = json!({"resources": back_matter});
    }
    json!({"catalog": catalog})
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
