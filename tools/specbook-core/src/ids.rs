//! `specbook ids`: gives the normative statements of a legacy draft requirement IDs. A pure
//! function of the chapters' text: it only ever *inserts* text (a `{#ID}` attribute on a heading
//! that encloses exactly one statement, or a new requirement heading before a statement),
//! numbers the new IDs per chapter so that they match `id_pattern`, and parses its own result
//! again to prove that no statement it handled is left unidentified.

use crate::bcp14;
use crate::config::{Config, DEFAULT_ID_PATTERN};
use crate::model::{Chapter, Requirement};
use crate::parse;
use crate::source::{FileId, SourceFile};
use crate::{meta, toml_json};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::LazyLock;

/// A chapter to work on.
#[derive(Clone, Debug)]
pub struct Input {
    /// Path relative to the spec folder (`01-intro.md`).
    pub path: String,
    /// Its text.
    pub text: String,
}

/// How IDs are made.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The first part of every new ID; default: the spec id, upper-cased.
    pub prefix: Option<String>,
}

/// What kind of text a change inserts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// `{#ID}` added to an existing heading that encloses exactly one statement.
    HeadingId,
    /// A new requirement heading inserted before the statement.
    NewHeading,
}

/// One insertion.
#[derive(Clone, Debug)]
pub struct Change {
    /// Chapter path.
    pub path: String,
    /// Byte offset in the original text where `inserted` goes.
    pub offset: usize,
    /// 1-based line of the offset.
    pub line: usize,
    /// 1-based column (in characters) of the offset.
    pub column: usize,
    /// What it does.
    pub kind: ChangeKind,
    /// The new ID.
    pub id: String,
    /// The requirement's heading text.
    pub title: String,
    /// The text inserted.
    pub inserted: String,
    /// The normative sentences the new requirement holds.
    pub statements: Vec<String>,
    /// Paragraphs without a BCP 14 keyword that its statement will hold too, because they follow
    /// it under the same heading (informative text, unless the editor marks it `Rationale:` or
    /// puts a heading before it). List items and quoted text are not listed.
    pub absorbed: Vec<String>,
}

/// A normative statement left as it is, and why.
#[derive(Clone, Debug)]
pub struct Skipped {
    /// Chapter path.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The sentence.
    pub statement: String,
    /// Why no ID was assigned.
    pub reason: String,
}

/// The result: new texts and what changed.
#[derive(Clone, Debug, Default)]
pub struct Assignment {
    /// The new text of every chapter that changes, by path.
    pub texts: BTreeMap<String, String>,
    /// Every insertion, in file and offset order.
    pub changes: Vec<Change>,
    /// Statements that were not given an ID.
    pub skipped: Vec<Skipped>,
}

impl Assignment {
    /// True when nothing would change.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Why IDs could not be assigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdsError {
    /// No numbering scheme produces IDs matching the spec's `id_pattern`.
    NoScheme {
        /// The pattern.
        pattern: String,
        /// An ID the first scheme would have produced.
        example: String,
        /// Whether the prefix was asked for (`--prefix`) rather than made from the spec id.
        prefix_given: bool,
    },
    /// `--prefix` holds no letter or digit.
    EmptyPrefix,
    /// The rewritten chapter did not parse as intended (a bug, or Markdown this tool cannot
    /// rewrite safely); nothing is written.
    Unverified {
        /// Chapter path.
        path: String,
        /// What went wrong.
        message: String,
    },
}

impl std::fmt::Display for IdsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IdsError::NoScheme {
                pattern,
                example,
                prefix_given,
            } => write!(
                f,
                "cannot make requirement IDs that match id_pattern `{pattern}` (tried e.g. `{example}`); {}",
                if *prefix_given {
                    "pass a --prefix that can start such an ID"
                } else {
                    "pass --prefix with the part before the chapter code"
                }
            ),
            IdsError::EmptyPrefix => {
                write!(f, "--prefix must hold at least one letter or digit")
            }
            IdsError::Unverified { path, message } => {
                write!(
                    f,
                    "{path}: the rewritten chapter does not check as intended: {message}"
                )
            }
        }
    }
}

impl std::error::Error for IdsError {}

/// Assigns IDs to every normative statement outside a requirement in `chapters` (in reading
/// order). Text is only inserted, never removed, so deleting the inserted strings gives the
/// input back; running it again on its own output changes nothing.
pub fn assign(
    config: &Config,
    chapters: &[Input],
    options: &Options,
) -> Result<Assignment, IdsError> {
    let pattern = Regex::new(config.id_pattern())
        .unwrap_or_else(|_| Regex::new(DEFAULT_ID_PATTERN).expect("default pattern"));
    let validator = toml_json::compile(&meta::schema_for(config))
        .or_else(|_| toml_json::compile(&meta::base_schema()))
        .expect("base schema compiles");
    let parse_one = |i: usize, path: &str, text: &str| {
        let file = SourceFile::new(path, text);
        let id = FileId(u32::try_from(i).unwrap_or(u32::MAX));
        parse::parse_chapter(id, &file, config, &pattern, &validator).0
    };
    let parsed: Vec<Chapter> = chapters
        .iter()
        .enumerate()
        .map(|(i, c)| parse_one(i, &c.path, &c.text))
        .collect();

    let mut taken: BTreeSet<String> = BTreeSet::new();
    for ch in &parsed {
        for r in &ch.requirements {
            taken.insert(r.id.clone());
            taken.extend(r.meta.replaces.to_vec());
        }
    }

    let mut out = Assignment::default();
    let plans: Vec<Plan> = chapters
        .iter()
        .zip(&parsed)
        .map(|(input, ch)| plan(input, ch, &pattern))
        .collect();
    for (input, p) in chapters.iter().zip(&plans) {
        let file = SourceFile::new(input.path.as_str(), input.text.as_str());
        for (offset, statement, reason) in &p.skipped {
            let (line, column) = file.line_col(*offset);
            out.skipped.push(Skipped {
                path: input.path.clone(),
                line,
                column,
                statement: statement.clone(),
                reason: reason.clone(),
            });
        }
    }

    let ids = name(
        config, chapters, &parsed, &plans, options, &pattern, &mut taken,
    )?;

    for (((input, ch), p), ids) in chapters.iter().zip(&parsed).zip(&plans).zip(ids) {
        if p.units.is_empty() {
            continue;
        }
        let file = SourceFile::new(input.path.as_str(), input.text.as_str());
        let nl = if input.text.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        let mut changes = Vec::new();
        for (unit, id) in p.units.iter().zip(ids) {
            let statements: Vec<String> = unit
                .statements
                .iter()
                .map(|&s| ch.unidentified[s].text.clone())
                .collect();
            let (offset, kind, title, inserted) = match unit.target {
                Target::Heading(h) => {
                    let h = &p.headings[h];
                    let (at, text) = match h.brace {
                        Some(b) => (b + 1, format!("#{id} ")),
                        None => (h.content_end, format!(" {{#{id}}}")),
                    };
                    (at, ChangeKind::HeadingId, h.title.clone(), text)
                }
                Target::New { level } => {
                    let title = title_of(&statements[0]);
                    let text = format!(
                        "{}{} {title} {{#{id}}}{nl}{nl}",
                        lead(&input.text, unit.anchor, ch.body_start, nl),
                        "#".repeat(usize::from(level)),
                    );
                    (unit.anchor, ChangeKind::NewHeading, title, text)
                }
            };
            let (line, column) = file.line_col(offset);
            changes.push(Change {
                path: input.path.clone(),
                offset,
                line,
                column,
                kind,
                id,
                title,
                inserted,
                statements,
                absorbed: Vec::new(),
            });
        }
        changes.sort_by_key(|c| c.offset);
        let new_text = apply(&input.text, &changes);
        verify(
            config,
            &pattern,
            &validator,
            input,
            &new_text,
            &mut changes,
            p,
        )?;
        out.texts.insert(input.path.clone(), new_text);
        out.changes.extend(changes);
    }
    Ok(out)
}

/// Applies insertions (sorted by offset) to `text`.
pub fn apply(text: &str, changes: &[Change]) -> String {
    let mut out = String::with_capacity(text.len() + changes.len() * 48);
    let mut at = 0;
    for c in changes {
        out.push_str(&text[at..c.offset]);
        out.push_str(&c.inserted);
        at = c.offset;
    }
    out.push_str(&text[at..]);
    out
}

/// Removes the insertions of `changes` from `new`, giving back the original text (used by tests
/// and as a self-check).
pub fn strip(new: &str, changes: &[Change]) -> String {
    let mut out = String::with_capacity(new.len());
    let mut shift = 0;
    let mut at = 0;
    for c in changes {
        let start = c.offset + shift;
        out.push_str(&new[at..start]);
        at = start + c.inserted.len();
        shift += c.inserted.len();
    }
    out.push_str(&new[at..]);
    out
}

// ---------------------------------------------------------------- the chapter's outline

/// A heading as found in the source.
#[derive(Clone, Debug)]
struct Heading {
    level: u8,
    start: usize,
    has_id: bool,
    /// Where `{#ID}` goes: after the last byte of the heading's text.
    content_end: usize,
    /// The `{` of an existing attribute block (`{.class}`), if any.
    brace: Option<usize>,
    title: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BlockKind {
    Paragraph,
    List,
    Other,
}

/// A block at the top level of the document.
#[derive(Clone, Debug)]
struct TopBlock {
    kind: BlockKind,
    range: Range<usize>,
    /// Start offsets of a list's items.
    items: Vec<usize>,
    /// Inline elements of a paragraph (emphasis, links, code spans…): never split inside one.
    inline: Vec<Range<usize>>,
}

fn outline(text: &str, body_start: usize, pattern: &Regex) -> (Vec<Heading>, Vec<TopBlock>) {
    let body = &text[body_start..];
    let parser = Parser::new_with_broken_link_callback(
        body,
        parse::options(),
        Some(parse::ReferenceCallback(pattern)),
    )
    .into_offset_iter();
    let mut headings = Vec::new();
    let mut blocks: Vec<TopBlock> = Vec::new();
    let mut depth = 0usize;
    let mut heading: Option<Heading> = None;
    for (event, range) in parser {
        let range = range.start + body_start..range.end + body_start;
        let is_text = matches!(event, Event::Text(_));
        match event {
            Event::Start(tag) => {
                if depth == 0 {
                    blocks.push(TopBlock {
                        kind: match tag {
                            Tag::Paragraph => BlockKind::Paragraph,
                            Tag::List(_) => BlockKind::List,
                            _ => BlockKind::Other,
                        },
                        range: range.clone(),
                        items: Vec::new(),
                        inline: Vec::new(),
                    });
                } else if let Some(b) = blocks.last_mut() {
                    match (b.kind, &tag) {
                        (BlockKind::List, Tag::Item) if depth == 1 => b.items.push(range.start),
                        (BlockKind::Paragraph, _) => b.inline.push(range.clone()),
                        _ => {}
                    }
                }
                if let Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                } = &tag
                {
                    heading = Some(Heading {
                        level: *level as u8,
                        start: range.start,
                        has_id: id.is_some(),
                        content_end: range.start,
                        brace: (!classes.is_empty() || !attrs.is_empty()).then_some(range.end),
                        title: String::new(),
                    });
                } else if let Some(h) = heading.as_mut() {
                    h.content_end = h.content_end.max(range.start);
                }
                depth += 1;
            }
            Event::End(TagEnd::Heading(_)) => {
                depth = depth.saturating_sub(1);
                if let Some(mut h) = heading.take() {
                    let whole = text[h.start..range.end].trim_end();
                    if !whole.contains('\n') {
                        // ATX: the attribute block goes at the end of the line, after any
                        // closing `#`s (`## Title ## {#ID}`).
                        h.content_end = h.start + whole.len();
                    }
                    if h.brace.is_some() {
                        // The attribute block follows the text on the heading's last line.
                        let line = text[..h.content_end]
                            .rfind('\n')
                            .map_or(h.start, |i| i + 1)
                            .max(h.start);
                        let end = text[h.content_end..]
                            .find('\n')
                            .map_or(text.len(), |i| h.content_end + i);
                        h.brace = text[line..end].rfind('{').map(|i| line + i);
                    }
                    h.title = h.title.trim().to_string();
                    headings.push(h);
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if let Some(h) = heading.as_mut() {
                    h.content_end = h.content_end.max(range.end);
                }
            }
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) | Event::InlineMath(t) => {
                if let Some(h) = heading.as_mut() {
                    h.content_end = h.content_end.max(range.end);
                    h.title.push_str(&t);
                } else if let Some(b) = blocks.last_mut()
                    && b.kind == BlockKind::Paragraph
                    && depth > 0
                    && !is_text
                {
                    b.inline.push(range);
                }
            }
            _ => {
                if let Some(h) = heading.as_mut() {
                    h.content_end = h.content_end.max(range.end);
                }
            }
        }
    }
    (headings, blocks)
}

// ---------------------------------------------------------------- planning

/// Where a unit's ID goes.
#[derive(Clone, Copy, Debug)]
enum Target {
    /// On the heading with this index.
    Heading(usize),
    /// On a new heading of this level inserted at the unit's anchor.
    New { level: u8 },
}

/// A piece of text that becomes one requirement: a sentence (or run of sentences) of a
/// top-level paragraph, a top-level list item, or a whole quote, table or other block.
#[derive(Clone, Debug)]
struct Unit {
    anchor: usize,
    statements: Vec<usize>,
    target: Target,
}

#[derive(Debug, Default)]
struct Plan {
    headings: Vec<Heading>,
    units: Vec<Unit>,
    /// (offset, sentence, reason)
    skipped: Vec<(usize, String, String)>,
}

/// Text that would start a block other than a paragraph at the beginning of a line.
static BLOCK_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[-+*](?:[ \t]|$)|[0-9]{1,9}[.)](?:[ \t]|$)|#{1,6}(?:[ \t]|$)|>|```|~~~|\||<|\[\^|[=-]+[ \t]*$|[ \t])")
        .expect("static regex")
});

fn line_start(text: &str, at: usize) -> Option<usize> {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    text[start..at]
        .bytes()
        .all(|b| b == b' ' || b == b'\t')
        .then_some(start)
}

fn plan(input: &Input, ch: &Chapter, pattern: &Regex) -> Plan {
    let text = input.text.as_str();
    let (headings, blocks) = outline(text, ch.body_start, pattern);
    let mut p = Plan {
        headings,
        ..Plan::default()
    };
    let requirement_at = |pos: usize| {
        ch.requirements
            .iter()
            .find(|r| r.heading_span.start <= pos && pos < r.body_span.end)
    };
    // (block index, item start) of the current unit
    let mut current: Option<(usize, Option<usize>)> = None;
    let mut handled: Vec<usize> = Vec::new();
    for (s, st) in ch.unidentified.iter().enumerate() {
        let pos = st.span.start;
        if let Some(r) = requirement_at(pos) {
            p.skipped.push((pos, st.text.clone(), format!("it is in the rationale of requirement `{}`: move it into the statement, split it into its own requirement, or quote the keyword", r.id)));
            continue;
        }
        let Some(b) = blocks
            .iter()
            .rposition(|b| b.range.start <= pos && pos < b.range.end)
        else {
            p.skipped.push((
                pos,
                st.text.clone(),
                "it is not in a block this tool can move".into(),
            ));
            continue;
        };
        let block = &blocks[b];
        let item = match block.kind {
            BlockKind::List => block.items.iter().rev().find(|&&i| i <= pos).copied(),
            _ => None,
        };
        if block.kind == BlockKind::Paragraph
            && text[block.range.clone()]
                .trim_start()
                .starts_with("Rationale:")
        {
            p.skipped.push((
                pos,
                st.text.clone(),
                "a `Rationale:` paragraph cannot state a requirement: reword it".into(),
            ));
            continue;
        }
        let same_block = current.is_some_and(|(cb, ci)| cb == b && ci == item);
        if same_block {
            let last = p.units.last().map_or(0, |u| u.anchor);
            let prev_end = handled.last().map_or(0, |&i| ch.unidentified[i].span.end);
            let split_ok = block.kind == BlockKind::Paragraph
                && pos > last
                && pos >= prev_end
                && !block.inline.iter().any(|r| r.start < pos && pos < r.end)
                && !BLOCK_START.is_match(&text[pos..]);
            if !split_ok {
                if let Some(u) = p.units.last_mut() {
                    u.statements.push(s);
                }
                handled.push(s);
                continue;
            }
            p.units.push(Unit {
                anchor: pos,
                statements: vec![s],
                target: Target::New { level: 2 },
            });
            handled.push(s);
            continue;
        }
        let mut start = item.unwrap_or(block.range.start);
        // A paragraph introducing the block (`Every report needs an owner:`) goes with it.
        let first_part = item.is_none_or(|i| block.items.first() == Some(&i));
        if block.kind != BlockKind::Paragraph
            && first_part
            && let Some(prev) = b.checked_sub(1).map(|i| &blocks[i])
            && prev.kind == BlockKind::Paragraph
            && text[prev.range.clone()].trim_end().ends_with(':')
            && !ch
                .unidentified
                .iter()
                .any(|u| prev.range.contains(&u.span.start))
            && p.units.last().is_none_or(|u| u.anchor < prev.range.start)
        {
            start = prev.range.start;
        }
        let Some(anchor) = line_start(text, start) else {
            p.skipped.push((
                pos,
                st.text.clone(),
                "its block does not start a line, so no heading can go before it".into(),
            ));
            continue;
        };
        current = Some((b, item));
        p.units.push(Unit {
            anchor,
            statements: vec![s],
            target: Target::New { level: 2 },
        });
        handled.push(s);
    }

    // How many handled statements each heading encloses, and whether a requirement is inside.
    let extent = |h: usize| {
        let level = p.headings[h].level;
        let end = p.headings[h + 1..]
            .iter()
            .find(|x| x.level <= level)
            .map_or(text.len(), |x| x.start);
        p.headings[h].start..end
    };
    let mut keep = Vec::with_capacity(p.units.len());
    for mut unit in std::mem::take(&mut p.units) {
        let enclosing = p.headings.iter().rposition(|h| h.start < unit.anchor);
        let target = match enclosing {
            Some(h) => {
                let ext = extent(h);
                let count = handled
                    .iter()
                    .filter(|&&s| ext.contains(&ch.unidentified[s].span.start))
                    .count();
                let id_inside = p.headings[h + 1..]
                    .iter()
                    .any(|x| x.has_id && ext.contains(&x.start));
                let hd = &p.headings[h];
                if count == 1
                    && !id_inside
                    && !hd.has_id
                    && hd.level >= 2
                    && !hd.title.is_empty()
                    && hd.content_end > hd.start
                {
                    Target::Heading(h)
                } else {
                    Target::New {
                        level: (hd.level + 1).max(2),
                    }
                }
            }
            None => Target::New { level: 2 },
        };
        if let Target::New { level } = target
            && level > 6
        {
            for &s in &unit.statements {
                let st = &ch.unidentified[s];
                p.skipped.push((st.span.start, st.text.clone(), "its section heading is at level 6, so a requirement heading cannot go below it".into()));
            }
            continue;
        }
        unit.target = target;
        keep.push(unit);
    }
    p.units = keep;
    p.skipped.sort_by_key(|(o, _, _)| *o);
    p
}

/// Line breaks to put before a heading inserted at `at`, so that it starts its own line after a
/// blank line.
fn lead(text: &str, at: usize, body_start: usize, nl: &str) -> String {
    let line = text[..at].rfind('\n').map_or(0, |i| i + 1);
    if line != at {
        return format!("{nl}{nl}");
    }
    if at <= body_start || at == 0 {
        return String::new();
    }
    let prev_start = text[..line - 1].rfind('\n').map_or(0, |i| i + 1);
    if text[prev_start..line - 1].trim().is_empty() {
        String::new()
    } else {
        nl.to_string()
    }
}

// ---------------------------------------------------------------- titles

const STOP: &[&str] = &[
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "than",
    "that", "the", "their", "its", "to", "with", "which", "who", "whose",
];

/// Words that start a new phrase, where a long title may be cut.
const BOUNDARY: &[&str] = &[
    "is", "are", "be", "been", "when", "where", "if", "before", "after", "once", "within",
    "unless", "until", "so", "because", "while", "about", "without",
];

const MAX_TITLE_WORDS: usize = 8;

fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "MUST" | "SHALL" | "SHOULD" | "MAY" | "REQUIRED" | "RECOMMENDED" | "OPTIONAL" | "NOT"
    )
}

/// A short heading for a new requirement: the verb phrase after its keyword (`The project
/// SHOULD acknowledge a report…` → `Acknowledge a report…`), else the sentence's first words,
/// at most eight words (cut where a phrase ends), without Markdown punctuation.
pub fn title_of(sentence: &str) -> String {
    let clean: String = sentence
        .chars()
        .map(|c| {
            if "*_`[]{}<>#\\|~".contains(c) || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect();
    let words: Vec<&str> = clean.split_whitespace().collect();
    let bare = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
    let mut picked: Vec<String> = Vec::new();
    if let Some(k) = words
        .iter()
        .position(|w| matches!(bare(w).as_str(), "MUST" | "SHALL" | "SHOULD" | "MAY"))
    {
        let mut j = k + 1;
        let negative = words.get(j).is_some_and(|w| bare(w) == "NOT");
        if negative {
            j += 1;
        }
        let verb_like = !words[k].ends_with(',')
            && words
                .get(j)
                .is_some_and(|w| w.chars().next().is_some_and(char::is_lowercase));
        if verb_like {
            if negative {
                picked.extend(["Do".to_string(), "not".to_string()]);
            }
            picked.extend(words[j..].iter().map(|w| w.to_string()));
        }
    }
    if picked.is_empty() {
        picked = words
            .iter()
            .map(|w| {
                if is_keyword(&bare(w)) {
                    w.to_lowercase()
                } else {
                    w.to_string()
                }
            })
            .collect();
    }
    if picked.len() > MAX_TITLE_WORDS {
        // Cut at a phrase boundary: after a word that a stop word follows.
        let cut = (3..=MAX_TITLE_WORDS)
            .rev()
            .find(|&n| {
                let next = bare(&picked[n]).to_lowercase();
                STOP.contains(&next.as_str()) || BOUNDARY.contains(&next.as_str())
            })
            .unwrap_or(MAX_TITLE_WORDS);
        picked.truncate(cut);
    }
    while let Some(last) = picked.last_mut() {
        let trimmed = last
            .trim_end_matches(|c: char| ".,;:!?()\"'".contains(c))
            .to_string();
        *last = trimmed;
        if last.is_empty() || STOP.contains(&last.to_lowercase().as_str()) {
            picked.pop();
        } else {
            break;
        }
    }
    let mut title = picked.join(" ");
    if let Some(first) = title.chars().next() {
        let upper: String = first.to_uppercase().collect();
        title.replace_range(..first.len_utf8(), &upper);
    }
    if title.is_empty() {
        "Requirement".into()
    } else {
        title
    }
}

// ---------------------------------------------------------------- naming

const ABBREV_STOP: &[&str] = &[
    "a", "an", "and", "for", "in", "of", "on", "or", "the", "to", "with", "by", "its", "their",
];

/// Candidate chapter codes (two to four upper-case ASCII letters) from a chapter title.
fn abbreviations(title: &str) -> Vec<String> {
    let words: Vec<String> = title
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty() && !ABBREV_STOP.contains(&w.to_ascii_lowercase().as_str()))
        .map(str::to_ascii_uppercase)
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if (2..=4).contains(&s.len()) && !out.contains(&s) {
            out.push(s);
        }
    };
    if words.len() >= 2 {
        push(words.iter().take(2).filter_map(|w| w.get(..1)).collect());
        push(words.iter().take(4).filter_map(|w| w.get(..1)).collect());
        if let (Some(a), Some(b)) = (words.first(), words.get(1)) {
            for n in 2..=3 {
                if let Some(rest) = b.get(..n) {
                    push(format!("{}{rest}", &a[..1]));
                }
            }
        }
    }
    let joined: String = words.concat();
    for n in 2..=4 {
        if let Some(s) = joined.get(..n) {
            push(s.to_string());
        }
    }
    if out.is_empty() {
        out.push("CH".into());
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scheme {
    /// `P-ABBR-01`
    PrefixCode,
    /// `P-04.01`
    PrefixChapterDot,
    /// `P-04-01`
    PrefixChapterDash,
    /// `P-4.1`
    PrefixChapterDotShort,
    /// `ABBR-01`
    Code,
    /// `P0401`
    Joined,
}

const SCHEMES: [Scheme; 6] = [
    Scheme::PrefixCode,
    Scheme::PrefixChapterDot,
    Scheme::PrefixChapterDash,
    Scheme::PrefixChapterDotShort,
    Scheme::Code,
    Scheme::Joined,
];

fn make(scheme: Scheme, prefix: &str, code: &str, chapter: u32, n: u32, width: usize) -> String {
    match scheme {
        Scheme::PrefixCode => format!("{prefix}-{code}-{n:0width$}"),
        Scheme::PrefixChapterDot => format!("{prefix}-{chapter:02}.{n:0width$}"),
        Scheme::PrefixChapterDash => format!("{prefix}-{chapter:02}-{n:0width$}"),
        Scheme::PrefixChapterDotShort => format!("{prefix}-{chapter}.{n}"),
        Scheme::Code => format!("{code}-{n:0width$}"),
        Scheme::Joined => format!("{prefix}{chapter:02}{n:0width$}"),
    }
}

/// The stem and number of an ID such as `SDP-VR-07` (`SDP-VR-`, 7, width 2).
fn split_id(id: &str) -> Option<(&str, u32, usize)> {
    let digits = id.len() - id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits == id.len() {
        return None;
    }
    let (stem, num) = id.split_at(id.len() - digits);
    Some((stem, num.parse().ok()?, digits))
}

fn default_prefix(config: &Config) -> String {
    let mut out = String::new();
    for c in config.spec_id().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "REQ".into() } else { out }
}

/// IDs for every unit of every chapter, in order.
#[allow(clippy::too_many_arguments)]
fn name(
    config: &Config,
    chapters: &[Input],
    parsed: &[Chapter],
    plans: &[Plan],
    options: &Options,
    pattern: &Regex,
    taken: &mut BTreeSet<String>,
) -> Result<Vec<Vec<String>>, IdsError> {
    let prefix = match options.prefix.as_deref() {
        Some(p) => {
            let p = p.trim().trim_end_matches(['-', '.']);
            if p.is_empty() {
                return Err(IdsError::EmptyPrefix);
            }
            p.to_string()
        }
        None => default_prefix(config),
    };
    let mut result: Vec<Vec<String>> = vec![Vec::new(); chapters.len()];

    // Chapters that already have IDs continue their own numbering (`SDP-VR-07` → `SDP-VR-08`).
    let mut fresh: Vec<usize> = Vec::new();
    let mut used_stems: BTreeSet<String> = BTreeSet::new();
    for ch in parsed {
        for r in &ch.requirements {
            if let Some((stem, _, _)) = split_id(&r.id) {
                used_stems.insert(stem.to_string());
            }
        }
    }
    for (i, (ch, p)) in parsed.iter().zip(plans).enumerate() {
        if p.units.is_empty() {
            continue;
        }
        let mut stems: BTreeMap<&str, (usize, u32, usize)> = BTreeMap::new();
        for r in &ch.requirements {
            if let Some((stem, n, w)) = split_id(&r.id) {
                let e = stems.entry(stem).or_insert((0, 0, 0));
                e.0 += 1;
                e.1 = e.1.max(n);
                e.2 = e.2.max(w);
            }
        }
        let best = stems
            .iter()
            .max_by_key(|(stem, (count, _, _))| (*count, std::cmp::Reverse(*stem)));
        if let Some((stem, &(_, max, width))) = best {
            let mut n = max;
            let mut ids = Vec::new();
            for _ in &p.units {
                let id = loop {
                    n += 1;
                    let id = format!("{stem}{n:0width$}");
                    if !taken.contains(&id) {
                        break id;
                    }
                };
                ids.push(id);
            }
            if ids.iter().all(|id| pattern.is_match(id)) {
                taken.extend(ids.iter().cloned());
                result[i] = ids;
                continue;
            }
        }
        fresh.push(i);
    }
    if fresh.is_empty() {
        return Ok(result);
    }

    // Chapter codes, unique among the new chapters and unlike the stems already in use.
    let mut codes: BTreeMap<usize, String> = BTreeMap::new();
    let mut used_codes: BTreeSet<String> = BTreeSet::new();
    for &i in &fresh {
        let candidates = abbreviations(&parsed[i].title);
        let free = candidates
            .iter()
            .find(|c| !used_codes.contains(*c) && !used_stems.contains(&format!("{prefix}-{c}-")));
        let code = match free {
            Some(c) => c.clone(),
            None => {
                let base = candidates[0].chars().take(3).collect::<String>();
                (b'A'..=b'Z')
                    .map(|x| format!("{base}{}", x as char))
                    .find(|c| !used_codes.contains(c))
                    .unwrap_or(base)
            }
        };
        used_codes.insert(code.clone());
        codes.insert(i, code);
    }
    let numbers: BTreeMap<usize, u32> = fresh
        .iter()
        .map(|&i| {
            let stem = chapters[i]
                .path
                .rsplit('/')
                .next()
                .unwrap_or(&chapters[i].path);
            let lead: String = stem.chars().take_while(char::is_ascii_digit).collect();
            let n = lead
                .parse()
                .unwrap_or_else(|_| u32::try_from(i + 1).unwrap_or(u32::MAX));
            (i, n)
        })
        .collect();

    let mut first_try = None;
    // A prefix asked for is in every new ID; only the default may give way to bare codes.
    let schemes = SCHEMES
        .iter()
        .filter(|&&s| options.prefix.is_none() || s != Scheme::Code);
    'scheme: for &scheme in schemes {
        let mut local = taken.clone();
        let mut attempt: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for &i in &fresh {
            let count = plans[i].units.len();
            let width = if count > 99 { 3 } else { 2 };
            let mut ids = Vec::new();
            let mut n = 0u32;
            while ids.len() < count {
                n += 1;
                let id = make(scheme, &prefix, &codes[&i], numbers[&i], n, width);
                if first_try.is_none() {
                    first_try = Some(id.clone());
                }
                if !pattern.is_match(&id) {
                    continue 'scheme;
                }
                if local.insert(id.clone()) {
                    ids.push(id);
                }
                if n > 100_000 {
                    continue 'scheme;
                }
            }
            attempt.insert(i, ids);
        }
        *taken = local;
        for (i, ids) in attempt {
            result[i] = ids;
        }
        return Ok(result);
    }
    Err(IdsError::NoScheme {
        pattern: config.id_pattern().to_string(),
        example: first_try.unwrap_or_default(),
        prefix_given: options.prefix.is_some(),
    })
}

// ---------------------------------------------------------------- verification

/// The paragraphs of `r`'s statement (in `text`) that have no BCP 14 keyword and stand at the
/// start of their line, outside any list or quote.
fn absorbed(text: &str, r: &Requirement) -> Vec<String> {
    let Some(source) = text.get(r.statement_span.clone()) else {
        return Vec::new();
    };
    let mut from = 0;
    let mut out = Vec::new();
    for block in r.statement.split("\n\n") {
        let first = block.lines().next().unwrap_or_default().trim();
        let Some(at) = source[from..].find(first).map(|i| from + i) else {
            continue;
        };
        from = at + first.len();
        let line = source[..at].rfind('\n').map_or(0, |i| i + 1);
        let outside = source[line..at].trim().is_empty();
        if outside && !first.is_empty() && !bcp14::mentions_keyword(block) {
            out.push(block.to_string());
        }
    }
    out
}

/// Parses `new_text` again and proves that the insertions reverse to the input, that no handled
/// statement is left without an ID and that every new requirement has a keyword; records in each
/// change the paragraphs its statement absorbs.
fn verify(
    config: &Config,
    pattern: &Regex,
    validator: &jsonschema::Validator,
    input: &Input,
    new_text: &str,
    changes: &mut [Change],
    p: &Plan,
) -> Result<(), IdsError> {
    let fail = |message: String| IdsError::Unverified {
        path: input.path.clone(),
        message,
    };
    if strip(new_text, changes) != input.text {
        return Err(fail("the insertions do not reverse to the original".into()));
    }
    let file = SourceFile::new(input.path.as_str(), new_text);
    let (ch, _) = parse::parse_chapter(FileId(0), &file, config, pattern, validator);
    if ch.unidentified.len() != p.skipped.len() {
        let left = ch
            .unidentified
            .iter()
            .find(|s| !p.skipped.iter().any(|(_, text, _)| *text == s.text));
        let (line, _) = left.map_or((0, 0), |s| file.line_col(s.span.start));
        return Err(fail(format!(
            "{} normative statement(s) would remain without an ID (line {line} of the new text)",
            ch.unidentified.len().saturating_sub(p.skipped.len()).max(1)
        )));
    }
    for c in changes {
        match ch.requirements.iter().find(|r| r.id == c.id) {
            Some(r) if !r.keywords.is_empty() => c.absorbed = absorbed(new_text, r),
            Some(_) => {
                return Err(fail(format!(
                    "the new requirement `{}` would have no BCP 14 keyword",
                    c.id
                )));
            }
            None => {
                return Err(fail(format!(
                    "the new requirement `{}` was not recognised as a heading",
                    c.id
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &str) -> Config {
        let text = format!("title = \"Legacy Draft\"\nversion = \"0.1.0\"\n{extra}");
        toml::from_str(&text).expect("config")
    }

    fn run(extra: &str, md: &str) -> Assignment {
        let input = vec![Input {
            path: "03-vulnerability-reporting.md".into(),
            text: md.into(),
        }];
        assign(&config(extra), &input, &Options::default()).expect("assign")
    }

    fn text_of(a: &Assignment) -> &str {
        a.texts.values().next().map(String::as_str).unwrap_or("")
    }

    #[test]
    fn titles() {
        assert_eq!(
            title_of("The project SHOULD acknowledge a report within seven days."),
            "Acknowledge a report within seven days"
        );
        assert_eq!(
            title_of("Maintainers MUST NOT publish details of an unfixed vulnerability."),
            "Do not publish details of an unfixed vulnerability"
        );
        assert_eq!(
            title_of("It is RECOMMENDED that releases are signed."),
            "It is recommended that releases are signed"
        );
        assert_eq!(
            title_of("A project MUST offer a private way to report a suspected vulnerability."),
            "Offer a private way to report"
        );
        assert_eq!(title_of("MUST."), "Must");
        assert_eq!(title_of("*{}*"), "Requirement");
    }

    #[test]
    fn heading_with_one_statement_gets_the_id() {
        let md = "# Vulnerability reporting\n\n## Private channel\n\nA project MUST offer a private channel.\n";
        let a = run("", md);
        assert_eq!(
            text_of(&a),
            "# Vulnerability reporting\n\n## Private channel {#LEGACY-DRAFT-VR-01}\n\nA project MUST offer a private channel.\n"
        );
        assert_eq!(a.changes[0].kind, ChangeKind::HeadingId);
    }

    #[test]
    fn paragraph_with_several_statements_is_split() {
        let md = "# Vulnerability reporting\n\n## Response\n\nReports matter. The project SHOULD reply within a week. It MUST keep the reporter informed.\nThis helps.\n\n- Each report MUST be logged.\n- Reporters MAY ask for credit.\n";
        let a = run("id = \"cvd\"", md);
        let new = text_of(&a);
        assert_eq!(a.changes.len(), 4, "{new}");
        assert!(a.changes.iter().all(|c| c.kind == ChangeKind::NewHeading));
        assert_eq!(strip(new, &a.changes), md);
        assert!(new.contains(
            "### Reply within a week {#CVD-VR-01}\n\nReports matter. The project SHOULD"
        ));
        assert!(new.contains("week. \n\n### Keep the reporter informed {#CVD-VR-02}\n\nIt MUST"));
        assert!(
            new.contains("This helps.\n\n### Log each report {#CVD-VR-03}")
                || new.contains("{#CVD-VR-03}\n\n- Each report")
        );
        assert!(new.contains("logged.\n\n### Ask for credit {#CVD-VR-04}\n\n- Reporters MAY"));
    }

    #[test]
    fn second_run_changes_nothing() {
        let md = "# Reporting\n\nA project MUST do a. It SHOULD do b.\n\n## One\n\nIt MAY do c.\n";
        let a = run("", md);
        let again = run("", text_of(&a));
        assert!(again.is_empty());
        assert!(again.texts.is_empty());
    }

    #[test]
    fn ids_follow_the_pattern_and_existing_numbering() {
        let md = "# Governance\n\n## Roles {#X-GV-03}\n\nA project MUST name a team.\n\n## Other\n\nIt SHOULD do a. It MUST do b.\n";
        let a = run("id_pattern = '^X-[A-Z]{2}-[0-9]{2}$'", md);
        let ids: Vec<_> = a.changes.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["X-GV-04", "X-GV-05"]);

        let md = "# Governance\n\nA project MUST name a team. It SHOULD do a.\n";
        let a = run("id_pattern = '^GOV-[0-9]{2}\\.[0-9]{2}$'\nid = 'gov'", md);
        let ids: Vec<_> = a.changes.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["GOV-03.01", "GOV-03.02"]);

        let err = assign(
            &config("id_pattern = '^Z[0-9]$'"),
            &[Input {
                path: "a.md".into(),
                text: "# A\n\nIt MUST x.\n".into(),
            }],
            &Options::default(),
        )
        .expect_err("no scheme fits");
        assert!(matches!(err, IdsError::NoScheme { .. }));
    }

    #[test]
    fn prefix_option_and_deep_sections() {
        let input = vec![Input {
            path: "07-secure-development.md".into(),
            text: "# Secure development\n\n###### Deep\n\nIt MUST x. It MUST y.\n".into(),
        }];
        let options = Options {
            prefix: Some("ABC-".into()),
        };
        let a = assign(&config(""), &input, &options).expect("assign");
        assert!(a.is_empty(), "no level 7 heading: {:?}", a.changes);
        assert_eq!(a.skipped.len(), 2);
        let input = vec![Input {
            path: "07-secure-development.md".into(),
            text: "# Secure development\n\nIt MUST x.\n".into(),
        }];
        let a = assign(&config(""), &input, &options).expect("assign");
        assert_eq!(a.changes[0].id, "ABC-SD-01");
    }

    #[test]
    fn attribute_blocks_closing_hashes_and_setext() {
        let md = "# T\n\n## Channel {.note}\n\nIt MUST x.\n\n## Closed ##\n\nIt MUST y.\n\nSetext\n------\n\nIt MUST z.\n";
        let a = run("", md);
        let new = text_of(&a);
        assert!(
            new.contains("## Channel {#LEGACY-DRAFT-CH-01 .note}"),
            "{new}"
        );
        assert!(
            new.contains("## Closed ## {#LEGACY-DRAFT-CH-02}\n"),
            "{new}"
        );
        assert!(
            new.contains("Setext {#LEGACY-DRAFT-CH-03}\n------\n"),
            "{new}"
        );
        assert_eq!(a.changes.len(), 3, "{new}");
        assert_eq!(strip(new, &a.changes), md);
    }

    #[test]
    fn paragraphs_without_a_keyword_that_join_a_statement_are_named() {
        let md = "# Reporting\n\nProjects MUST publish a contact.\n\nSome background.\n\n\
                  ## Handling\n\nMaintainers SHOULD triage:\n\n- look\n- answer\n\n> A quote.\n\n\
                  Rationale: why.\n";
        let a = run("", md);
        assert_eq!(a.changes.len(), 2);
        assert_eq!(a.changes[0].absorbed, ["Some background."]);
        assert!(
            a.changes[1].absorbed.is_empty(),
            "{:?}",
            a.changes[1].absorbed
        );
    }

    #[test]
    fn rationale_statements_are_skipped() {
        let md = "# T\n\n## R {#A-1}\n\nIt MUST x.\n\nRationale: it MUST be so.\n";
        let a = run("", md);
        assert!(a.is_empty());
        assert_eq!(a.skipped.len(), 1);
    }

    #[test]
    fn crlf_and_front_matter() {
        let md = "+++\nNumber = 1\n+++\r\n# T\r\n\r\nIt MUST x. It MUST y.\r\n";
        let a = run("", md);
        let new = text_of(&a);
        assert_eq!(
            new,
            "+++\nNumber = 1\n+++\r\n# T\r\n\r\n## X {#LEGACY-DRAFT-CH-01}\r\n\r\nIt MUST x. \r\n\r\n## Y {#LEGACY-DRAFT-CH-02}\r\n\r\nIt MUST y.\r\n"
        );
    }
}
