//! Text comparison for the diff: word-level highlighting with `similar` (bounded by the size of
//! the two texts for huge rewrites), the editorial normalisation (white space, punctuation and case ignored) and a
//! word similarity used to detect renames and align sentences.

use super::{Segment, SegmentOp};
use foldhash::HashSet;
use similar::{ChangeTag, TextDiff};

/// The largest product of the two sides' word counts that gets an exact word diff (Myers: time
/// grows with the product for a full rewrite). Beyond it a text reads as one deletion and one
/// insertion, and similarity is word-set overlap. A bound on work rather than on time (as
/// `similar`'s deadline would be), so that the same texts always give the same diff.
pub const MAX_WORD_PAIRS: usize = 4_000_000;

/// Whether comparing `a` and `b` word by word stays within [`MAX_WORD_PAIRS`].
fn small_enough(a: usize, b: usize) -> bool {
    a.saturating_mul(b) <= MAX_WORD_PAIRS
}

/// Word-level diff of `old` and `new`, as runs. White space between two changes joins them, so
/// a rewritten phrase reads as one deletion followed by one insertion.
pub fn segments(old: &str, new: &str) -> Vec<Segment> {
    if !small_enough(
        old.split_whitespace().count(),
        new.split_whitespace().count(),
    ) {
        let mut out = Vec::new();
        push(&mut out, SegmentOp::Delete, old);
        push(&mut out, SegmentOp::Insert, new);
        return out;
    }
    let diff = TextDiff::configure().diff_words(old, new);
    let tokens: Vec<(SegmentOp, &str)> = diff
        .ops()
        .iter()
        .flat_map(|op| diff.iter_changes(op))
        .map(|c| {
            let op = match c.tag() {
                ChangeTag::Equal => SegmentOp::Equal,
                ChangeTag::Delete => SegmentOp::Delete,
                ChangeTag::Insert => SegmentOp::Insert,
            };
            (op, c.value())
        })
        .collect();
    let mut out: Vec<Segment> = Vec::new();
    let (mut del, mut ins) = (String::new(), String::new());
    let flush = |out: &mut Vec<Segment>, del: &mut String, ins: &mut String| {
        for (op, text) in [(SegmentOp::Delete, del), (SegmentOp::Insert, ins)] {
            if !text.is_empty() {
                push(out, op, text);
                text.clear();
            }
        }
    };
    for (i, &(op, text)) in tokens.iter().enumerate() {
        match op {
            SegmentOp::Delete => del.push_str(text),
            SegmentOp::Insert => ins.push_str(text),
            SegmentOp::Equal => {
                let pending = !del.is_empty() || !ins.is_empty();
                let next_changes = tokens
                    .get(i + 1)
                    .is_some_and(|(op, _)| *op != SegmentOp::Equal);
                if pending && next_changes && text.trim().is_empty() {
                    del.push_str(text);
                    ins.push_str(text);
                } else {
                    flush(&mut out, &mut del, &mut ins);
                    push(&mut out, SegmentOp::Equal, text);
                }
            }
        }
    }
    flush(&mut out, &mut del, &mut ins);
    out
}

fn push(out: &mut Vec<Segment>, op: SegmentOp, text: &str) {
    match out.last_mut() {
        Some(last) if last.op == op => last.text.push_str(text),
        _ => out.push(Segment {
            op,
            text: text.to_string(),
        }),
    }
}

/// The words of `text` with case, punctuation and white space removed: two texts with the same
/// normalised words differ only editorially. Punctuation between digits (`1.5`) is kept.
pub fn normalised_words(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut words = Vec::new();
    for word in chars.split(|c| c.is_whitespace()) {
        let mut w = String::new();
        for (i, &c) in word.iter().enumerate() {
            if c.is_alphanumeric() {
                w.extend(c.to_lowercase());
            } else {
                let digit = |j: Option<&char>| j.is_some_and(char::is_ascii_digit);
                if i > 0 && digit(word.get(i - 1)) && digit(word.get(i + 1)) {
                    w.push(c);
                }
            }
        }
        if !w.is_empty() {
            words.push(w);
        }
    }
    words
}

/// Whether `old` and `new` differ only in white space, punctuation or case, with the same BCP 14
/// keywords (lower-casing `MUST` is not editorial).
pub fn editorial(old: &str, new: &str) -> bool {
    normalised_words(old) == normalised_words(new) && keywords(old) == keywords(new)
}

fn keywords(text: &str) -> Vec<String> {
    crate::bcp14::keywords(text)
        .into_iter()
        .map(|h| h.text)
        .collect()
}

/// Word similarity of two texts, 0–1: a cheap bag-of-words overlap first, then `similar`'s ratio
/// over the normalised words when the overlap is promising.
pub fn similarity(old: &str, new: &str) -> f64 {
    similarity_of(&normalised_words(old), &normalised_words(new))
}

/// [`similarity`] over already normalised words.
pub fn similarity_of(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let sa: HashSet<&str> = a.iter().map(String::as_str).collect();
    let sb: HashSet<&str> = b.iter().map(String::as_str).collect();
    let common = sa.intersection(&sb).count();
    let dice = 2.0 * common as f64 / (sa.len() + sb.len()) as f64;
    if dice < 0.4 {
        return dice;
    }
    if !small_enough(a.len(), b.len()) {
        return dice;
    }
    let ra: Vec<&str> = a.iter().map(String::as_str).collect();
    let rb: Vec<&str> = b.iter().map(String::as_str).collect();
    let diff = TextDiff::configure().diff_slices(&ra, &rb);
    f64::from(diff.ratio())
}

/// Rounds to two decimals (for stable JSON).
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(segs: &[Segment]) -> String {
        segs.iter()
            .map(|s| match s.op {
                SegmentOp::Equal => s.text.clone(),
                SegmentOp::Delete => format!("[-{}-]", s.text),
                SegmentOp::Insert => format!("{{+{}+}}", s.text),
            })
            .collect()
    }

    #[test]
    fn word_segments_join_adjacent_changes() {
        let s = segments(
            "A project SHOULD keep a log.",
            "A project MUST keep an audit log.",
        );
        assert_eq!(
            show(&s),
            "A project [-SHOULD-]{+MUST+} keep [-a-]{+an audit+} log."
        );
        let s = segments("one two three four", "one 2 3 four");
        assert_eq!(show(&s), "one [-two three-]{+2 3+} four");
    }

    #[test]
    fn segments_rebuild_both_texts() {
        let (a, b) = ("It MUST  be, done.", "It must be done now!");
        let s = segments(a, b);
        let old: String = s
            .iter()
            .filter(|s| s.op != SegmentOp::Insert)
            .map(|s| s.text.as_str())
            .collect();
        let new: String = s
            .iter()
            .filter(|s| s.op != SegmentOp::Delete)
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!((old.as_str(), new.as_str()), (a, b));
    }

    #[test]
    fn editorial_ignores_space_punctuation_and_case_but_not_keywords() {
        assert!(editorial(
            "The project MUST publish a policy.",
            "The Project  MUST publish a policy"
        ));
        assert!(editorial("an e-mail address", "an email address"));
        assert!(!editorial("within 1.5 days", "within 15 days"));
        assert!(!editorial("It MUST do it.", "It must do it."));
        assert!(!editorial("It MUST do it.", "It MUST do that."));
    }

    #[test]
    fn similarity_is_a_ratio() {
        assert_eq!(similarity("a b c", "a b c"), 1.0);
        assert_eq!(similarity("a b c", "x y z"), 0.0);
        let s = similarity(
            "A project MUST publish its policy on a web page.",
            "A project MUST publish its policy on a public web page.",
        );
        assert!(s > 0.9, "{s}");
    }
}
