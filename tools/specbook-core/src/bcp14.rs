//! BCP 14 (RFC 2119 / RFC 8174) keywords: finding them in text, their strength, and the
//! look-alikes that are diagnosed (lower-case modal verbs, non-standard capitalised phrases).

use regex::Regex;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::sync::LazyLock;

/// Normative strength of a requirement: the strongest keyword wins.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    /// No keyword (only for withdrawn requirements and informative text).
    None,
    /// MAY, OPTIONAL.
    May,
    /// SHOULD, SHOULD NOT, RECOMMENDED, NOT RECOMMENDED.
    Should,
    /// MUST, MUST NOT, REQUIRED, SHALL, SHALL NOT.
    Must,
}

impl Strength {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Strength::None => "none",
            Strength::May => "may",
            Strength::Should => "should",
            Strength::Must => "must",
        }
    }
}

/// A keyword occurrence: its normalised form (`MUST NOT`) and byte range in the scanned text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Normalised keyword or phrase.
    pub text: String,
    /// Byte range in the scanned text.
    pub range: Range<usize>,
}

static KEYWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(MUST\s+NOT|MUST|SHALL\s+NOT|SHALL|SHOULD\s+NOT|SHOULD|NOT\s+RECOMMENDED|RECOMMENDED|REQUIRED|MAY|OPTIONAL)\b")
        .expect("static regex")
});
static LOWERCASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(must|shall|should|may|required|recommended|optional)\b").expect("static regex")
});
static NONSTANDARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b((?:STRONGLY|HIGHLY|ABSOLUTELY)\s+(?:RECOMMENDED|ADVISED|SUGGESTED|ENCOURAGED|REQUIRED)|MUST\s+ALWAYS|SHOULD\s+ALWAYS|MUSTN'T|SHOULDN'T|MANDATORY|PROHIBITED|FORBIDDEN|SUGGESTED|ADVISED|ENCOURAGED)\b")
        .expect("static regex")
});

fn quoted(text: &str, range: &Range<usize>) -> bool {
    const QUOTES: &[char] = &[
        '"', '\'', '\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}', '`',
    ];
    let before = text[..range.start].chars().next_back();
    let after = text[range.end..].chars().next();
    matches!((before, after), (Some(b), Some(a)) if QUOTES.contains(&b) && QUOTES.contains(&a))
}

fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// BCP 14 keywords in `text`, skipping quoted ones (`"MUST"` is a mention, not a use) and
/// those inside a non-standard phrase (`STRONGLY RECOMMENDED`).
pub fn keywords(text: &str) -> Vec<Hit> {
    let mut hits = Vec::new();
    // The non-standard phrases are looked for once, and only when there is a keyword to test.
    let mut phrases: Option<Vec<Range<usize>>> = None;
    for m in KEYWORD.find_iter(text) {
        let range = m.range();
        if quoted(text, &range) {
            continue;
        }
        let phrases =
            phrases.get_or_insert_with(|| NONSTANDARD.find_iter(text).map(|p| p.range()).collect());
        if phrases
            .iter()
            .any(|p| p.start <= range.start && range.end <= p.end)
        {
            continue;
        }
        hits.push(Hit {
            text: normalise(m.as_str()),
            range,
        });
    }
    hits
}

/// Whether `text` contains anything that looks like a BCP 14 keyword (quoted or not): a cheap
/// test before splitting it into sentences.
pub fn mentions_keyword(text: &str) -> bool {
    KEYWORD.is_match(text)
}

/// Capitalised phrases that look normative but are not BCP 14 keywords.
pub fn nonstandard(text: &str) -> Vec<Hit> {
    NONSTANDARD
        .find_iter(text)
        .filter(|m| !quoted(text, &m.range()))
        .map(|m| Hit {
            text: normalise(m.as_str()),
            range: m.range(),
        })
        .collect()
}

/// Lower-case modal verbs that would be keywords if capitalised.
pub fn lowercase(text: &str) -> Vec<Hit> {
    LOWERCASE
        .find_iter(text)
        .filter(|m| !quoted(text, &m.range()))
        .map(|m| Hit {
            text: m.as_str().to_string(),
            range: m.range(),
        })
        .collect()
}

/// Strength of one normalised keyword.
pub fn strength_of(keyword: &str) -> Strength {
    match keyword {
        "MUST" | "MUST NOT" | "REQUIRED" | "SHALL" | "SHALL NOT" => Strength::Must,
        "SHOULD" | "SHOULD NOT" | "RECOMMENDED" | "NOT RECOMMENDED" => Strength::Should,
        "MAY" | "OPTIONAL" => Strength::May,
        _ => Strength::None,
    }
}

/// The strongest strength among keywords.
pub fn strongest<'a>(keywords: impl IntoIterator<Item = &'a str>) -> Strength {
    keywords
        .into_iter()
        .map(strength_of)
        .max()
        .unwrap_or(Strength::None)
}

/// Byte ranges of the sentences of `text` (split after `.`, `!` or `?` followed by white space).
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if matches!(b, b'.' | b'!' | b'?') && bytes.get(i + 1).is_some_and(u8::is_ascii_whitespace)
        {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    out.push(start..text.len());
    out.into_iter()
        .map(|r| {
            let s = &text[r.clone()];
            let lead = s.len() - s.trim_start().len();
            let trail = s.len() - s.trim_end().len();
            r.start + lead..r.end - trail
        })
        .filter(|r| !r.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keywords_and_strength() {
        let hits = keywords("It MUST NOT fail and SHOULD log; it MAY retry. NOT RECOMMENDED.");
        let words: Vec<_> = hits.iter().map(|h| h.text.as_str()).collect();
        assert_eq!(words, ["MUST NOT", "SHOULD", "MAY", "NOT RECOMMENDED"]);
        assert_eq!(strongest(words), Strength::Must);
        assert_eq!(strongest(["RECOMMENDED", "MAY"]), Strength::Should);
    }

    #[test]
    fn quoted_keywords_are_mentions() {
        assert!(keywords(r#"The key words "MUST" and `SHOULD` are defined"#).is_empty());
    }

    #[test]
    fn nonstandard_phrases_are_not_keywords() {
        assert!(keywords("It is STRONGLY RECOMMENDED to").is_empty());
        assert_eq!(
            nonstandard("It is STRONGLY RECOMMENDED to")[0].text,
            "STRONGLY RECOMMENDED"
        );
        assert_eq!(lowercase("You must and may")[1].text, "may");
        assert!(keywords("MUSTARD MAYBE").is_empty());
    }

    #[test]
    fn splits_sentences() {
        let t = "One MUST. Two? Three";
        let s: Vec<_> = sentences(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(s, ["One MUST.", "Two?", "Three"]);
    }
}
