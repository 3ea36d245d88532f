//! Lenses: filters over a diff's changes by foundation, framework item, chapter and strength.
//! Categories combine with AND, values within a category with OR; a change matches when either
//! its old or its new side does.

use super::{Change, Snapshot, StatementChange, StrengthChange};
use crate::bcp14::Strength;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A value of `--strength`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StrengthLens {
    /// Requirements whose strength is MUST on either side.
    Must,
    /// SHOULD on either side.
    Should,
    /// MAY on either side.
    May,
    /// Without a keyword on either side.
    None,
    /// Changes that strengthened a requirement.
    Strengthened,
    /// Changes that weakened a requirement.
    Weakened,
    /// Changes of strength either way.
    Changed,
}

/// The filters of a diff. Empty lists filter nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Lens {
    /// Organisation ids (`--foundation`): requirements citing one of their documents.
    pub foundation: Vec<String>,
    /// Framework item ids or id prefixes (`--cra`; `*` = mapped to any item).
    pub cra: Vec<String>,
    /// Chapter slugs, slug prefixes (`04`) or titles (`--chapter`).
    pub chapter: Vec<String>,
    /// Strengths or strength changes (`--strength`).
    pub strength: Vec<StrengthLens>,
}

impl Lens {
    /// Whether no filter is set.
    pub fn is_empty(&self) -> bool {
        self.foundation.is_empty()
            && self.cra.is_empty()
            && self.chapter.is_empty()
            && self.strength.is_empty()
    }

    /// Whether `change` passes every filter.
    pub fn matches(&self, change: &Change) -> bool {
        let sides: Vec<&Snapshot> = change.old.iter().chain(change.new.iter()).collect();
        let any = |f: &dyn Fn(&Snapshot) -> bool| sides.iter().any(|s| f(s));
        (self.foundation.is_empty()
            || any(&|s| {
                s.organisations
                    .iter()
                    .any(|o| self.foundation.iter().any(|f| f.eq_ignore_ascii_case(o)))
            }))
            && (self.cra.is_empty()
                || any(&|s| {
                    s.frameworks
                        .iter()
                        .any(|item| self.cra.iter().any(|c| item_matches(item, c)))
                }))
            && (self.chapter.is_empty()
                || any(&|s| {
                    self.chapter
                        .iter()
                        .any(|c| chapter_matches(&s.chapter, &s.chapter_title, c))
                }))
            && (self.strength.is_empty()
                || self.strength.iter().any(|l| {
                    strength_matches(*l, change.strength_change, &|level| {
                        any(&|s| s.strength == level)
                    })
                }))
    }

    /// Whether a statement change passes: statements have no mappings, so a foundation or
    /// framework filter hides them.
    pub fn matches_statement(&self, change: &StatementChange) -> bool {
        let sides: Vec<_> = change.old.iter().chain(change.new.iter()).collect();
        self.foundation.is_empty()
            && self.cra.is_empty()
            && (self.chapter.is_empty()
                || sides.iter().any(|s| {
                    self.chapter
                        .iter()
                        .any(|c| chapter_matches(&s.chapter, &s.chapter_title, c))
                }))
            && (self.strength.is_empty()
                || self.strength.iter().any(|l| {
                    strength_matches(*l, change.strength_change, &|level| {
                        sides.iter().any(|s| s.strength == level)
                    })
                }))
    }
}

fn item_matches(item: &str, wanted: &str) -> bool {
    // A mapping may carry its relationship: `CRA-AI-P2-5 (subset-of)`.
    let item = item.split(' ').next().unwrap_or(item);
    wanted == "*"
        || item.eq_ignore_ascii_case(wanted)
        || item
            .get(..wanted.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(wanted))
            && item[wanted.len()..].starts_with('-')
}

fn chapter_matches(slug: &str, title: &str, wanted: &str) -> bool {
    slug == wanted
        || (slug.len() > wanted.len()
            && slug.starts_with(wanted)
            && slug[wanted.len()..].starts_with('-'))
        || (!title.is_empty() && title.eq_ignore_ascii_case(wanted))
}

fn strength_matches(
    lens: StrengthLens,
    change: StrengthChange,
    has: &dyn Fn(Strength) -> bool,
) -> bool {
    match lens {
        StrengthLens::Must => has(Strength::Must),
        StrengthLens::Should => has(Strength::Should),
        StrengthLens::May => has(Strength::May),
        StrengthLens::None => has(Strength::None),
        StrengthLens::Strengthened => change == StrengthChange::Strengthened,
        StrengthLens::Weakened => change == StrengthChange::Weakened,
        StrengthLens::Changed => change != StrengthChange::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_and_chapter_matching() {
        assert!(item_matches("CRA-AI-P2-5", "cra-ai-p2"));
        assert!(item_matches("CRA-AI-P2-5 (subset-of)", "CRA-AI-P2-5"));
        assert!(!item_matches("CRA-AI-P2-50", "CRA-AI-P2-5"));
        assert!(item_matches("X", "*"));
        // A prefix that ends inside a multi-byte character matches nothing (and never panics).
        assert!(!item_matches("CRA-Ä1", "CRA-A"));
        assert!(item_matches("CRA-Ä1-2", "CRA-Ä1"));
        assert!(chapter_matches("04-reporting", "Reporting", "04"));
        assert!(chapter_matches("04-reporting", "Reporting", "reporting"));
        assert!(!chapter_matches("040-x", "X", "04"));
    }
}
