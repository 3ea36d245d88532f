//! Coverage: which requirements map to each framework item and cite each organisation's
//! documents, and the gaps. Computed from the catalogue's requirements; printed by `coverage`.

use crate::catalogue::RequirementEntry;
use crate::registries::Registry;
use crate::registry::{ItemKind, OrgKind, Scope};
use foldhash::{HashMap, HashMapExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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

/// Computes coverage over active (non-withdrawn) requirements. The framework side and the
/// organisation side are independent and are worked out side by side.
pub fn compute(requirements: &[RequirementEntry], registry: &Registry) -> Coverage {
    let live: Vec<&RequirementEntry> = requirements
        .iter()
        .filter(|r| r.status != crate::meta::ReqStatus::Withdrawn)
        .collect();
    let ((items, mut summary), (organisations, uncited_documents)) =
        rayon::join(|| items(&live, registry), || organisations(&live, registry));
    summary.requirements = live.len();
    summary.uncited_documents = uncited_documents;
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

/// Adds position `k` to a list that is built in increasing order, once.
fn add(list: &mut Vec<usize>, k: usize) {
    if list.last() != Some(&k) {
        list.push(k);
    }
}

/// The IDs of the requirements at `positions` in `live`.
fn ids(live: &[&RequirementEntry], positions: Option<&Vec<usize>>) -> Vec<String> {
    positions
        .map(|list| list.iter().map(|&k| live[k].id.clone()).collect())
        .unwrap_or_default()
}

/// Coverage of every framework item, and the item totals of the summary. Requirements are kept
/// as positions in `live`, so every list comes out in reading order without rescanning the
/// requirements per item.
fn items(live: &[&RequirementEntry], registry: &Registry) -> (Vec<ItemCoverage>, CoverageSummary) {
    let mut by_item: HashMap<&str, Vec<usize>> = HashMap::new();
    for (k, r) in live.iter().enumerate() {
        for f in &r.frameworks {
            add(by_item.entry(&f.id).or_default(), k);
        }
    }
    let mut summary = CoverageSummary::default();
    let mut items = Vec::new();
    for fw in &registry.frameworks {
        for item in &fw.items {
            let reqs = ids(live, by_item.get(item.id.as_str()));
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
    (items, summary)
}

/// Coverage of every organisation and its documents, and the documents no requirement cites.
fn organisations(
    live: &[&RequirementEntry],
    registry: &Registry,
) -> (Vec<OrganisationCoverage>, Vec<String>) {
    let mut by_doc: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (k, r) in live.iter().enumerate() {
        for s in &r.sources {
            add(by_doc.entry((&s.organisation, &s.document)).or_default(), k);
        }
    }
    let mut uncited = Vec::new();
    let mut organisations = Vec::new();
    for org in &registry.organisations {
        let mut all = Vec::new();
        let documents = org
            .documents
            .iter()
            .map(|d| {
                let cited = by_doc.get(&(org.id.as_str(), d.id.as_str()));
                match cited {
                    Some(list) => all.extend_from_slice(list),
                    None => uncited.push(format!("{}/{}", org.id, d.id)),
                }
                DocumentCoverage {
                    id: d.id.clone(),
                    requirements: ids(live, cited),
                }
            })
            .collect();
        all.sort_unstable();
        all.dedup();
        organisations.push(OrganisationCoverage {
            id: org.id.clone(),
            kind: org.kind,
            documents,
            requirements: ids(live, Some(&all)),
        });
    }
    (organisations, uncited)
}
