//! Text and Markdown renderings of [`Coverage`](crate::coverage::Coverage): the
//! framework-items × requirements matrix, the requirements × organisations matrix, totals and
//! gaps.

use crate::catalogue::Catalogue;
use crate::registry::{ItemKind, Scope};

/// Output flavour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    /// Plain text for a terminal.
    Text,
    /// GitHub-flavoured Markdown.
    Markdown,
}

fn table(flavour: Flavour, header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    match flavour {
        Flavour::Markdown => {
            let esc = |s: &String| s.replace('|', "\\|");
            out.push_str(&format!(
                "| {} |\n",
                header.iter().map(esc).collect::<Vec<_>>().join(" | ")
            ));
            out.push_str(&format!(
                "|{}\n",
                header.iter().map(|_| " --- |").collect::<String>()
            ));
            for r in rows {
                out.push_str(&format!(
                    "| {} |\n",
                    r.iter().map(esc).collect::<Vec<_>>().join(" | ")
                ));
            }
        }
        Flavour::Text => {
            let widths: Vec<usize> = (0..header.len())
                .map(|i| {
                    std::iter::once(&header[i])
                        .chain(rows.iter().map(|r| &r[i]))
                        .map(|s| s.chars().count())
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            let line = |cells: &[String]| {
                let mut s = cells
                    .iter()
                    .zip(&widths)
                    .map(|(c, w)| format!("{c:<w$}"))
                    .collect::<Vec<_>>()
                    .join("  ");
                s.truncate(s.trim_end().len());
                s.push('\n');
                s
            };
            out.push_str(&line(header));
            out.push_str(&line(
                &widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>(),
            ));
            for r in rows {
                out.push_str(&line(r));
            }
        }
    }
    out
}

/// Renders both matrices, totals and gaps.
pub fn render(cat: &Catalogue, flavour: Flavour) -> String {
    let cov = &cat.coverage;
    let h = |s: &str| match flavour {
        Flavour::Markdown => format!("## {s}\n\n"),
        Flavour::Text => format!("{s}\n{}\n\n", "=".repeat(s.chars().count())),
    };
    let mut out = String::new();
    out.push_str(&h("Framework items × requirements"));
    let rows: Vec<Vec<String>> = cov
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::Requirement)
        .map(|i| {
            let scope = match i.scope {
                Scope::In if i.requirements.is_empty() => "GAP".to_string(),
                Scope::In => "in".to_string(),
                Scope::Out => "out".to_string(),
            };
            let reqs = if i.scope == Scope::Out {
                i.reason.clone().unwrap_or_default()
            } else {
                i.requirements.join(", ")
            };
            vec![
                i.id.clone(),
                i.reference.clone(),
                scope,
                i.requirements.len().to_string(),
                reqs,
            ]
        })
        .collect();
    out.push_str(&table(
        flavour,
        &[
            "item",
            "reference",
            "scope",
            "n",
            "requirements (or reason)",
        ]
        .map(String::from),
        &rows,
    ));
    out.push('\n');

    out.push_str(&h("Requirements × organisations"));
    let orgs: Vec<&str> = cov.organisations.iter().map(|o| o.id.as_str()).collect();
    let (yes, no) = match flavour {
        Flavour::Markdown => ("✓", ""),
        Flavour::Text => ("●", "·"),
    };
    let mut header = vec!["requirement".to_string(), "strength".to_string()];
    header.extend(orgs.iter().map(|s| s.to_string()));
    let mut rows: Vec<Vec<String>> = cat
        .requirements
        .iter()
        .filter(|r| r.status != crate::meta::ReqStatus::Withdrawn)
        .map(|r| {
            let mut row = vec![r.id.clone(), r.strength.as_str().to_string()];
            row.extend(orgs.iter().map(|o| {
                if r.organisations.iter().any(|x| x == o) {
                    yes
                } else {
                    no
                }
                .to_string()
            }));
            row
        })
        .collect();
    let mut totals = vec!["total".to_string(), String::new()];
    totals.extend(
        cov.organisations
            .iter()
            .map(|o| o.requirements.len().to_string()),
    );
    rows.push(totals);
    out.push_str(&table(flavour, &header, &rows));
    out.push('\n');

    let s = &cov.summary;
    out.push_str(&h("Summary"));
    let bullet = |k: &str, v: String| format!("- {k}: {v}\n");
    out.push_str(&bullet("requirements", s.requirements.to_string()));
    out.push_str(&bullet(
        "in-scope framework items covered",
        format!("{} of {}", s.items_covered, s.items_in_scope),
    ));
    out.push_str(&bullet(
        "framework items out of scope",
        s.items_out_of_scope.to_string(),
    ));
    for o in &cov.organisations {
        out.push_str(&bullet(
            &format!("requirements citing {}", o.id),
            o.requirements.len().to_string(),
        ));
    }
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    out.push('\n');
    out.push_str(&h("Gaps"));
    out.push_str(&bullet(
        "uncovered in-scope items",
        list(&s.uncovered_items),
    ));
    out.push_str(&bullet(
        "requirements without a source",
        list(&s.requirements_without_source),
    ));
    out.push_str(&bullet("uncited documents", list(&s.uncited_documents)));
    out
}
