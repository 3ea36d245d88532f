//! Coverage: which requirements map to each framework item and cite each organisation's
//! documents, and the gaps. Computed from the catalogue's requirements; printed by `coverage`.

use crate::catalogue::RequirementEntry;
use crate::registries::Registry;
use crate::registry::{ItemKind, OrgKind, Scope};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Coverage of one framework item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ItemCoverage {
    /// Framework id.
    pub framework: String,
    /// Item id.
    pub id: String,
    /// Official reference.
    pub reference: String,
    /// In or out of scope.
    pub scope: Scope,
    /// Obligation, chapeau or heading.
    pub kind: ItemKind,
    /// Why out of scope.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
    /// Requirements mapping to it.
    pub requirements: Vec<String>,
}

/// Coverage of one policy document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DocumentCoverage {
    /// Document id.
    pub id: String,
    /// Requirements citing it.
    pub requirements: Vec<String>,
}

/// Coverage of one organisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrganisationCoverage {
    /// Organisation id.
    pub id: String,
    /// Foundation or working group.
    pub kind: OrgKind,
    /// Per document.
    pub documents: Vec<DocumentCoverage>,
    /// Every requirement citing any of its documents.
    pub requirements: Vec<String>,
}

/// Totals and gaps.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CoverageSummary {
    /// Requirements (withdrawn ones excluded).
    pub requirements: usize,
    /// In-scope obligations.
    pub items_in_scope: usize,
    /// In-scope obligations mapped by at least one requirement.
    pub items_covered: usize,
    /// Out-of-scope obligations.
    pub items_out_of_scope: usize,
    /// In-scope obligations mapped by no requirement.
    pub uncovered_items: Vec<String>,
    /// Requirements citing no policy document.
    pub requirements_without_source: Vec<String>,
    /// Documents (`org/doc`) no requirement cites.
    pub uncited_documents: Vec<String>,
}

/// The coverage section of the catalogue, and the JSON output of `specbook coverage`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "specbook coverage")]
pub struct Coverage {
    /// Framework items × requirements.
    pub items: Vec<ItemCoverage>,
    /// Organisations × requirements.
    pub organisations: Vec<OrganisationCoverage>,
    /// Totals and gaps.
    pub summary: CoverageSummary,
}

/// The JSON document `specbook coverage --format json` prints.
pub type CoverageReport = Coverage;

/// Computes coverage over active (non-withdrawn) requirements.
pub fn compute(requirements: &[RequirementEntry], registry: &Registry) -> Coverage {
    let live: Vec<&RequirementEntry> = requirements
        .iter()
        .filter(|r| r.status != crate::meta::ReqStatus::Withdrawn)
        .collect();
    // Requirements are kept as positions in `live`, so every list comes out in reading order
    // without rescanning the requirements per item or document.
    let mut by_item: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    let mut by_doc: BTreeMap<(&str, &str), BTreeSet<usize>> = BTreeMap::new();
    for (k, r) in live.iter().enumerate() {
        for f in &r.frameworks {
            by_item.entry(&f.id).or_default().insert(k);
        }
        for s in &r.sources {
            by_doc
                .entry((&s.organisation, &s.document))
                .or_default()
                .insert(k);
        }
    }
    let ids = |set: Option<&BTreeSet<usize>>| -> Vec<String> {
        set.map(|set| set.iter().map(|&k| live[k].id.clone()).collect())
            .unwrap_or_default()
    };
    let mut summary = CoverageSummary {
        requirements: live.len(),
        ..CoverageSummary::default()
    };
    let mut items = Vec::new();
    for fw in &registry.frameworks {
        for item in &fw.items {
            let reqs = ids(by_item.get(item.id.as_str()));
            if item.kind == ItemKind::Requirement {
                match item.scope {
                    Scope::In => {
                        summary.items_in_scope += 1;
                        if reqs.is_empty() {
                            summary.uncovered_items.push(item.id.clone());
                        } else {
                            summary.items_covered += 1;
                        }
                    }
                    Scope::Out => summary.items_out_of_scope += 1,
                }
            }
            items.push(ItemCoverage {
                framework: fw.id.clone(),
                id: item.id.clone(),
                reference: item.reference.clone(),
                scope: item.scope,
                kind: item.kind,
                reason: item.reason.clone(),
                requirements: reqs,
            });
        }
    }
    let mut organisations = Vec::new();
    for org in &registry.organisations {
        let mut all = BTreeSet::new();
        let documents = org
            .documents
            .iter()
            .map(|d| {
                let set = by_doc.get(&(org.id.as_str(), d.id.as_str()));
                if let Some(s) = set {
                    all.extend(s.iter().copied());
                } else {
                    summary
                        .uncited_documents
                        .push(format!("{}/{}", org.id, d.id));
                }
                DocumentCoverage {
                    id: d.id.clone(),
                    requirements: ids(set),
                }
            })
            .collect();
        organisations.push(OrganisationCoverage {
            id: org.id.clone(),
            kind: org.kind,
            documents,
            requirements: ids(Some(&all)),
        });
    }
    summary.requirements_without_source = live
        .iter()
        .filter(|r| r.sources.is_empty())
        .map(|r| r.id.clone())
        .collect();
    Coverage {
        items,
        organisations,
        summary,
    }
}
