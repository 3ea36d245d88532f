//! The targets of draft 0.1.0 of our own specification (`spec/`), asserted so they cannot
//! silently regress: size, CRA coverage, foundation citations, sources and rationales.

use specbook_core::meta::ReqStatus;
use specbook_core::pipeline::{Env, check};
use specbook_core::registry::{ItemKind, OrgKind, Scope};
use std::path::Path;

fn spec() -> specbook_core::pipeline::Checked {
    check(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec"),
        &Env::default(),
    )
    .expect("spec loads")
}

#[test]
fn draft_metadata() {
    let c = spec();
    assert_eq!(c.catalogue.spec.version, "0.1.0");
    assert_eq!(
        c.catalogue.spec.status,
        specbook_core::config::SpecStatus::Draft
    );
    assert!(
        c.diagnostics.is_empty(),
        "{:?}",
        c.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
}

#[test]
fn every_requirement_is_complete() {
    let c = spec();
    let live: Vec<_> = c
        .catalogue
        .requirements
        .iter()
        .filter(|r| r.status != ReqStatus::Withdrawn)
        .collect();
    assert!(live.len() >= 60, "only {} requirements", live.len());
    for r in &live {
        assert!(!r.title.is_empty(), "{} has no title", r.id);
        assert!(!r.keywords.is_empty(), "{} has no BCP 14 keyword", r.id);
        assert!(
            r.rationale.as_deref().is_some_and(|t| t.len() > 20),
            "{} has no rationale",
            r.id
        );
        assert!(!r.sources.is_empty(), "{} has no source", r.id);
        assert!(!r.frameworks.is_empty(), "{} maps to no CRA item", r.id);
    }
}

#[test]
fn cra_targets_are_met() {
    let c = spec();
    let cov = &c.catalogue.coverage;
    let mapped = |id: &str| {
        cov.items
            .iter()
            .find(|i| i.id == id)
            .map_or(0, |i| i.requirements.len())
    };
    for n in 1..=8 {
        assert!(
            mapped(&format!("CRA-AI-P2-{n}")) > 0,
            "Annex I Part II ({n}) is not mapped"
        );
    }
    for n in 1..=3 {
        assert!(
            mapped(&format!("CRA-ART24-{n}")) > 0,
            "Article 24({n}) is not mapped"
        );
    }
    let part1: Vec<_> = cov
        .items
        .iter()
        .filter(|i| i.id.starts_with("CRA-AI-P1-") && i.kind == ItemKind::Requirement)
        .collect();
    assert!(
        part1.len() >= 14,
        "Annex I Part I items missing from the registry"
    );
    for i in part1 {
        match i.scope {
            Scope::In => assert!(
                !i.requirements.is_empty(),
                "{} is in scope but unmapped",
                i.id
            ),
            Scope::Out => assert!(
                i.reason.as_deref().is_some_and(|r| !r.is_empty()),
                "{} is out of scope without a reason",
                i.id
            ),
        }
    }
    assert!(
        cov.summary.uncovered_items.is_empty(),
        "{:?}",
        cov.summary.uncovered_items
    );
}

#[test]
fn each_foundation_is_cited_by_at_least_five_requirements() {
    let c = spec();
    let foundations: Vec<_> = c
        .catalogue
        .coverage
        .organisations
        .iter()
        .filter(|o| o.kind == OrgKind::Foundation)
        .collect();
    let ids: Vec<&str> = foundations.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "apache", "blender", "eclipse", "openssl", "php", "python", "rust"
        ]
    );
    for o in foundations {
        assert!(
            o.requirements.len() >= 5,
            "{} is cited by only {}",
            o.id,
            o.requirements.len()
        );
    }
}

#[test]
fn the_orc_working_group_draft_is_registered_and_cited() {
    let c = spec();
    let orc = c
        .catalogue
        .coverage
        .organisations
        .iter()
        .find(|o| o.id == "orcwg")
        .expect("orcwg registered");
    assert_eq!(orc.kind, OrgKind::WorkingGroup);
    let doc = orc
        .documents
        .iter()
        .find(|d| d.id == "vulnerability-management-spec")
        .expect("draft registered");
    assert!(
        doc.requirements.len() >= 20,
        "the ORC draft is cited by only {}",
        doc.requirements.len()
    );
}
