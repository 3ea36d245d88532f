//! Stage 2, parse: one chapter's Markdown → [`Chapter`] (requirements, metadata, references,
//! unidentified normative sentences). The only module that knows pulldown-cmark's event stream,
//! apart from the HTML renderer.

use crate::bcp14::{self, Strength};
use crate::config::{Config, HtmlPolicy, slug};
use crate::diag::{Code, Diagnostic};
use crate::meta;
use crate::model::{Chapter, Reference, Requirement, Statement};
use crate::source::{FileId, SourceFile};
use crate::toml_json;
use pulldown_cmark::{
    BrokenLink, CodeBlockKind, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd,
};
use regex::Regex;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

/// URL prefix the broken-link callback gives `[ID]` references, resolved later.
pub const REF_SCHEME: &str = "specbook-ref:";

/// The Markdown dialect of chapters.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_FOOTNOTES
}

/// Whether a bracketed name with no link definition is a cross-reference (rather than literal text):
/// it contains `/` (a policy document), or it looks like an ID (letters, digits, `-._()`, starting
/// with a letter) and contains a digit. `[note]` stays text; `[SDP-VH-01]` and `[X-1]` are references.
pub fn is_reference_like(name: &str, _id_pattern: &Regex) -> bool {
    let name = name.trim();
    if name.is_empty() || name.chars().any(char::is_whitespace) {
        return false;
    }
    if name.contains('/') {
        return !name.contains("://");
    }
    // `^[A-Za-z][A-Za-z0-9._()-]*$` with at least one digit.
    let like_id = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '(' | ')' | '-'));
    like_id && name.chars().any(|c| c.is_ascii_digit())
}

/// The broken-link callback shared by parsing and rendering: turns reference-like names into
/// `specbook-ref:` links.
pub struct ReferenceCallback<'a>(pub &'a Regex);

impl<'input> pulldown_cmark::BrokenLinkCallback<'input> for ReferenceCallback<'_> {
    fn handle_broken_link(
        &mut self,
        link: BrokenLink<'input>,
    ) -> Option<(CowStr<'input>, CowStr<'input>)> {
        is_reference_like(&link.reference, self.0).then(|| {
            // `concat`, not `format!`: this runs once per cross-reference, and `format!` showed
            // in `check`'s profile.
            let dest = [REF_SCHEME, link.reference.trim()].concat();
            (CowStr::from(dest), CowStr::from(""))
        })
    }
}

/// Most requirements a chapter's vector is sized for up front (about 430 KB of them).
const MAX_PRESIZED_REQUIREMENTS: usize = 1024;

/// The capacity for a chapter's requirements: every requirement heading carries `{#ID}`, so a
/// count of those means the vector is never regrown (a requirement is over 400 bytes), up to
/// a bound, so that a hostile file of nothing but `{#` does not reserve gigabytes. `memmem`
/// counts with SIMD; `str::matches` took 3.8 % of `check`.
fn requirement_capacity(text: &str) -> usize {
    memchr::memmem::find_iter(text.as_bytes(), "{#")
        .take(MAX_PRESIZED_REQUIREMENTS)
        .count()
}

/// Splits front matter from the body: `(kind, content range, body start)`, where the body start
/// is `None` when the opening fence (`+++` or `---` on the first line) is never closed.
fn front_matter(text: &str) -> Option<(char, Range<usize>, Option<usize>)> {
    for (fence, kind) in [("+++", '+'), ("---", '-')] {
        let first = text.lines().next()?;
        if first.trim_end() != fence {
            continue;
        }
        let start = first.len() + usize::from(text[first.len()..].starts_with('\n'));
        let mut pos = start;
        for line in text[start..].split_inclusive('\n') {
            if line.trim_end() == fence {
                return Some((kind, start..pos, Some(pos + line.len())));
            }
            pos += line.len();
        }
        return Some((kind, start..text.len(), None));
    }
    None
}

struct Block {
    text: String,
    scan: String,
    map: Vec<(usize, Range<usize>)>,
    span: Option<Range<usize>>,
}

impl Block {
    fn new() -> Self {
        Self {
            text: String::new(),
            scan: String::new(),
            map: Vec::new(),
            span: None,
        }
    }
    fn push(&mut self, s: &str, src: Range<usize>, code: bool) {
        self.map.push((self.text.len(), src.clone()));
        self.text.push_str(s);
        if code {
            self.scan.extend(std::iter::repeat_n(' ', s.len()));
        } else {
            self.scan.push_str(s);
        }
        self.extend(src);
    }
    /// Empties the block for the next paragraph, keeping its buffers.
    fn clear(&mut self) {
        self.text.clear();
        self.scan.clear();
        self.map.clear();
        self.span = None;
    }
    fn extend(&mut self, src: Range<usize>) {
        self.span = Some(match self.span.take() {
            Some(s) => s.start.min(src.start)..s.end.max(src.end),
            None => src,
        });
    }
    fn source(&self, r: Range<usize>) -> Range<usize> {
        let at = |pos: usize| {
            let i = self
                .map
                .partition_point(|(o, _)| *o <= pos)
                .saturating_sub(1);
            self.map
                .get(i)
                .map_or(0, |(o, src)| (src.start + (pos - o)).min(src.end))
        };
        let start = at(r.start);
        start..at(r.end.saturating_sub(1)).max(start) + 1
    }
}

struct Open {
    req: Requirement,
    expect_meta: bool,
    in_rationale: bool,
}

/// Parses one chapter.
pub fn parse_chapter(
    file: FileId,
    source: &SourceFile,
    config: &Config,
    id_pattern: &Regex,
    meta_validator: &jsonschema::Validator,
) -> (Chapter, Vec<Diagnostic>) {
    let text = source.text.as_str();
    let mut diags = Vec::new();
    // `req` blocks may skip the schema only when it says no more about the known keys than
    // `ReqMeta` does: an extra field of the config that reuses a known key can tighten it.
    let meta_reader = MetaReader {
        validator: meta_validator,
        typed: !config
            .extra_fields
            .keys()
            .any(|k| meta::KNOWN_KEYS.contains(&k.as_str())),
    };
    let stem = source
        .path
        .rsplit('/')
        .next()
        .unwrap_or(&source.path)
        .trim_end_matches(".md")
        .to_string();
    let mut chapter = Chapter {
        file,
        slug: stem.clone(),
        title: String::new(),
        front_matter: BTreeMap::new(),
        requirements: Vec::with_capacity(requirement_capacity(text)),
        unidentified: Vec::new(),
        references: Vec::new(),
        internal_links: Vec::new(),
        anchors: Vec::new(),
        body_start: 0,
        definitions: Vec::new(),
        footnotes: Vec::new(),
    };
    match front_matter(text) {
        Some((kind, _, None)) => {
            let fence = if kind == '+' { "+++" } else { "---" };
            diags.push(
                Diagnostic::new(Code::FrontMatterInvalid, file, 0..3, format!("front matter opened with `{fence}` is never closed"))
                    .with_label("opened here")
                    .with_help(format!("end the front matter with a `{fence}` line before the chapter's title; a chapter cannot start with a thematic break")),
            );
        }
        Some((kind, content, Some(body_start))) => {
            chapter.body_start = body_start;
            chapter.front_matter = parse_front_matter(
                kind,
                &text[content.clone()],
                content.start,
                file,
                source,
                &mut diags,
            );
        }
        None => {}
    }
    invisible_characters(text, file, &mut diags);
    let body = &text[chapter.body_start..];
    let base = chapter.body_start;
    let mut parser =
        Parser::new_with_broken_link_callback(body, options(), Some(ReferenceCallback(id_pattern)))
            .into_offset_iter();

    let mut depth = 0usize;
    // Open lists, quotes and footnotes: a heading inside one gets no `id` on the site.
    let mut containers = 0usize;
    // Footnote definitions are published once, at the end of the chapter page: their text is
    // no requirement's statement or rationale.
    let mut footnotes = 0usize;
    // Each footnote label defined so far and where: the first definition of a label is the one
    // pulldown-cmark uses.
    let mut footnote_defs: Vec<(String, Range<usize>)> = Vec::new();
    let mut sections: Vec<(u8, String)> = Vec::new();
    let mut heading: Option<(u8, Option<String>, Range<usize>, String)> = None;
    let mut open: Option<Open> = None;
    let mut block = Block::new();
    let mut in_code: Option<(bool, Range<usize>, Option<Range<usize>>)> = None; // (is req, block span, content span)
    let mut image_depth = 0usize;
    let mut budget = ExpansionBudget::of(body);

    for (event, range) in &mut parser {
        let range = range.start + base..range.end + base;
        match &event {
            Event::Start(_) => {
                depth += 1;
                if depth > config.limits.max_nesting {
                    diags.push(
                        Diagnostic::new(Code::TooDeep, file, range.start..range.start + 1, format!("Markdown nesting deeper than {} levels", config.limits.max_nesting))
                            .with_help("flatten the nested lists or quotes, or raise `limits.max_nesting` in specbook.toml"),
                    );
                    chapter.requirements.clear();
                    return (chapter, diags);
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        match &event {
            Event::Start(
                Tag::BlockQuote(_) | Tag::List(_) | Tag::Item | Tag::FootnoteDefinition(_),
            ) => containers += 1,
            Event::End(
                TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item | TagEnd::FootnoteDefinition,
            ) => containers = containers.saturating_sub(1),
            _ => {}
        }
        match &event {
            Event::Start(Tag::FootnoteDefinition(label)) => {
                footnotes += 1;
                // `[^label]`, up to its closing bracket.
                let span = text[range.clone()]
                    .find(']')
                    .map_or(range.clone(), |i| range.start..range.start + i + 1);
                match footnote_defs.iter().find(|(l, _)| unicase::eq(l.as_str(), label.as_ref())) {
                    Some((_, first)) => diags.push(
                        Diagnostic::new(Code::DuplicateId, file, span, format!("footnote `[^{label}]` is defined twice"))
                            .with_label("second definition, never published")
                            .with_secondary(file, first.clone(), "the definition every reference shows")
                            .with_help("give one of the notes another label and point its references at it, or merge the two notes"),
                    ),
                    None => {
                        footnote_defs.push((label.to_string(), span));
                        chapter.footnotes.push(label.to_string());
                    }
                }
            }
            Event::End(TagEnd::FootnoteDefinition) => footnotes = footnotes.saturating_sub(1),
            _ => {}
        }
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                if (!classes.is_empty() || !attrs.is_empty()) && config.html == HtmlPolicy::Reject {
                    // The attribute block `{…}` ends the heading's first line.
                    let line = &text[range.clone()];
                    let line = &line[..line.find('\n').unwrap_or(line.len())];
                    let start = line.rfind('{').map_or(range.start, |i| range.start + i);
                    let end = line.rfind('}').map_or(range.end, |i| range.start + i + 1);
                    diags.push(
                        Diagnostic::new(Code::RawHtml, file, start..end.max(start + 1), "heading attributes other than `{#ID}` are HTML, which is not allowed in specification sources")
                            .with_label("classes or attributes")
                            .with_help("keep only the `{#ID}` of a requirement heading; classes and `key=value` attributes are never published"),
                    );
                }
                flush(
                    text,
                    &mut block,
                    &mut open,
                    &mut chapter,
                    &sections,
                    file,
                    &mut diags,
                );
                if let Some(o) = open.as_mut() {
                    o.expect_meta = false;
                }
                heading = Some((level as u8, id.map(|s| s.to_string()), range, String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some((level, id, span, title)) = heading.take() else {
                    continue;
                };
                let title = title.trim().to_string();
                if open.as_ref().is_some_and(|o| level <= o.req.level) {
                    close(open.take(), span.start, &mut chapter, file, &mut diags);
                }
                // One entry per heading (`render::markdown` pairs them by position); a heading
                // in a list or quote has no `id` on the site, so no link may land on it.
                chapter.anchors.push(match &id {
                    Some(id) => id.clone(),
                    None if containers > 0 => String::new(),
                    None => slug(&title),
                });
                match id {
                    Some(id) => {
                        if let Some(prev) = open.take() {
                            close(Some(prev), span.start, &mut chapter, file, &mut diags);
                        }
                        let line = &text[span.clone()];
                        let id_span = line.rfind(&format!("#{id}")).map_or(span.clone(), |i| {
                            span.start + i + 1..span.start + i + 1 + id.len()
                        });
                        open = Some(Open {
                            req: Requirement {
                                id,
                                id_span,
                                heading_span: span.clone(),
                                level,
                                title,
                                section: sections.iter().map(|(_, t)| t.clone()).collect(),
                                meta: meta::ReqMeta::default(),
                                extra: BTreeMap::new(),
                                meta_text: None,
                                statement: String::new(),
                                statement_span: span.end..span.end,
                                rationale: None,
                                rationale_span: None,
                                links: Vec::new(),
                                body_span: span.end..text.len(),
                                keywords: Vec::new(),
                                strength: Strength::None,
                            },
                            expect_meta: true,
                            in_rationale: false,
                        });
                    }
                    None if level == 1 && chapter.title.is_empty() => chapter.title = title,
                    None if open.is_none() => {
                        sections.retain(|(l, _)| *l < level);
                        if level > 1 {
                            sections.push((level, title));
                        }
                    }
                    None => {}
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                flush(
                    text,
                    &mut block,
                    &mut open,
                    &mut chapter,
                    &sections,
                    file,
                    &mut diags,
                );
                let is_req = matches!(&kind, CodeBlockKind::Fenced(info) if info.trim() == "req");
                if is_req && !open.as_ref().is_some_and(|o| o.expect_meta) {
                    diags.push(
                        Diagnostic::new(Code::ReqBlockInvalid, file, range.start..range.start + 3, "a `req` block must directly follow a requirement heading")
                            .with_help("move the block right under a heading with an ID such as `### Title {#ID-1}`"),
                    );
                }
                let is_req = is_req && open.as_ref().is_some_and(|o| o.expect_meta);
                if let Some(o) = open.as_mut() {
                    o.expect_meta = false;
                }
                in_code = Some((is_req, range, None));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((true, span, content)) = in_code.take()
                    && let Some(o) = open.as_mut()
                {
                    read_req_block(o, span, content, text, file, &meta_reader, &mut diags);
                }
            }
            Event::Text(t) if in_code.is_some() => {
                if let Some((_, _, content)) = in_code.as_mut() {
                    *content = Some(match content.take() {
                        Some(c) => c.start..range.end,
                        None => range.clone(),
                    });
                }
                let _ = t;
            }
            Event::Text(t) => {
                if let Some(h) = heading.as_mut() {
                    h.3.push_str(&t);
                } else if image_depth == 0 && footnotes == 0 {
                    block.push(&t, range, false);
                }
            }
            Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.3.push_str(&t);
                } else if footnotes == 0 {
                    block.push(&t, range, true);
                }
            }
            Event::SoftBreak | Event::HardBreak if heading.is_none() => {
                block.push(" ", range, false);
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                let is_comment = h.trim_start().starts_with("<!--");
                if !is_comment && config.html == HtmlPolicy::Reject {
                    let end = text[range.clone()]
                        .find('\n')
                        .map_or(range.end, |i| range.start + i);
                    diags.push(
                        Diagnostic::new(Code::RawHtml, file, range.start..end.max(range.start + 1), "raw HTML is not allowed in specification sources")
                            .with_label("raw HTML")
                            .with_help("write it in Markdown, or set `html = \"sanitize\"` in specbook.toml to accept it and leave it out of the published pages"),
                    );
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            }) => {
                budget.spend(link_type, &dest_url, &title, &range, file, &mut diags);
                if let Some(o) = open.as_mut() {
                    o.expect_meta = false;
                    record_link(&mut o.req, &dest_url);
                }
                link(&dest_url, range, &mut chapter, file, &mut diags);
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                ..
            }) => {
                image_depth += 1;
                budget.spend(link_type, &dest_url, &title, &range, file, &mut diags);
                if let Some(o) = open.as_mut() {
                    record_link(&mut o.req, &dest_url);
                }
                link(&dest_url, range, &mut chapter, file, &mut diags);
            }
            Event::End(TagEnd::Image) => image_depth = image_depth.saturating_sub(1),
            Event::Start(Tag::Paragraph | Tag::Item | Tag::Table(_) | Tag::BlockQuote(_)) => {
                flush(
                    text,
                    &mut block,
                    &mut open,
                    &mut chapter,
                    &sections,
                    file,
                    &mut diags,
                );
                if let Some(o) = open.as_mut() {
                    o.expect_meta = false;
                }
            }
            Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell | TagEnd::BlockQuote(_),
            ) => {
                // The block's span is the whole paragraph, so that markup before its first text
                // (`**Projects** MUST …`) stays inside the statement's Markdown range.
                if !block.text.is_empty() {
                    block.extend(range.clone());
                }
                flush(
                    text,
                    &mut block,
                    &mut open,
                    &mut chapter,
                    &sections,
                    file,
                    &mut diags,
                );
            }
            _ => {}
        }
    }
    flush(
        text,
        &mut block,
        &mut open,
        &mut chapter,
        &sections,
        file,
        &mut diags,
    );
    close(open.take(), text.len(), &mut chapter, file, &mut diags);
    chapter.definitions = parser
        .reference_definitions()
        .iter()
        .map(|(_, d)| d.span.start + base..d.span.end + base)
        .collect();
    chapter.definitions.sort_by_key(|r| r.start);
    if chapter.title.is_empty() {
        chapter.title = stem;
        diags.push(
            Diagnostic::new(
                Code::MissingTitle,
                file,
                base..base,
                "chapter has no `#` heading",
            )
            .with_help(
                "start the chapter with a level-1 heading such as `# Vulnerability reporting`",
            ),
        );
    }
    (chapter, diags)
}

/// Most invisible-character diagnostics reported per file.
const MAX_INVISIBLE: usize = 20;

/// Reports bidirectional controls and zero-width characters ("Trojan Source", CVE-2021-42574):
/// they can make `MU\u{200b}ST` look like a keyword, or reorder what a reviewer sees. A byte-order
/// mark at the very start of the file is allowed.
fn invisible_characters(text: &str, file: FileId, diags: &mut Vec<Diagnostic>) {
    // Every such character starts with one of these UTF-8 lead bytes (U+00AD: 0xC2, U+061C:
    // 0xD8, U+180E: 0xE1, U+2000..=U+2FFF: 0xE2, U+FEFF: 0xEF): only characters starting with
    // them are decoded, not the whole file.
    let found = text
        .bytes()
        .enumerate()
        .filter(|&(_, b)| matches!(b, 0xC2 | 0xD8 | 0xE1 | 0xE2 | 0xEF))
        .filter_map(|(i, _)| text[i..].chars().next().map(|c| (i, c)))
        .filter(|&(i, c)| crate::diag_render::is_invisible(c) && !(i == 0 && c == '\u{FEFF}'))
        .take(MAX_INVISIBLE);
    for (i, c) in found {
        diags.push(
            Diagnostic::new(Code::InvisibleCharacter, file, i..i + c.len_utf8(), format!("invisible character U+{:04X} in the source", c as u32))
                .with_label("here")
                .with_help("delete it; if a right-to-left script needs it, write the text so that it reads correctly without controls"),
        );
    }
}

fn parse_front_matter(
    kind: char,
    content: &str,
    offset: usize,
    file: FileId,
    source: &SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Value> {
    let parsed: Result<Value, (String, Range<usize>)> = if kind == '+' {
        toml_json::parse(content)
            .map(|d| d.value)
            .map_err(|e| (e.message, e.span.start + offset..e.span.end + offset))
    } else {
        serde_saphyr::from_str::<Value>(content).map_err(|e| {
            let at = e.location().map_or(offset, |l| {
                let (line, _) = source.line_col(offset);
                let r = source.line_range(line + l.line().saturating_sub(1) as usize);
                // The YAML column counts characters, not bytes.
                let chars = l.column().saturating_sub(1) as usize;
                source.text[r.clone()]
                    .char_indices()
                    .nth(chars)
                    .map_or(r.end, |(i, _)| r.start + i)
            });
            (
                e.to_string()
                    .lines()
                    .next()
                    .unwrap_or("invalid YAML")
                    .to_string(),
                at..at,
            )
        })
    };
    match parsed {
        Ok(Value::Object(map)) => map.into_iter().collect(),
        Ok(Value::Null) => BTreeMap::new(),
        Ok(_) => {
            diags.push(
                Diagnostic::new(
                    Code::FrontMatterInvalid,
                    file,
                    offset..offset,
                    "front matter must be a table of keys",
                )
                .with_help("write `key = \"value\"` lines (TOML) or `Key: value` lines (YAML)"),
            );
            BTreeMap::new()
        }
        Err((message, span)) => {
            let lang = if kind == '+' { "TOML" } else { "YAML" };
            diags.push(
                Diagnostic::new(
                    Code::FrontMatterInvalid,
                    file,
                    span,
                    format!("invalid {lang} front matter: {message}"),
                )
                .with_help(format!(
                    "fix the {lang} between the `{0}{0}{0}` lines",
                    kind
                )),
            );
            BTreeMap::new()
        }
    }
}

/// How `req` blocks are read.
struct MetaReader<'a> {
    /// The schema of requirement metadata in force (with the config's extra fields).
    validator: &'a jsonschema::Validator,
    /// Whether a block may be deserialised straight into `ReqMeta`, skipping the schema.
    typed: bool,
}

fn read_req_block(
    o: &mut Open,
    span: Range<usize>,
    content: Option<Range<usize>>,
    text: &str,
    file: FileId,
    reader: &MetaReader<'_>,
    diags: &mut Vec<Diagnostic>,
) {
    let block_src = &text[span.clone()];
    let fence_len = block_src
        .chars()
        .take_while(|&c| c == '`' || c == '~')
        .count()
        .max(3);
    let fence_char = block_src.chars().next().unwrap_or('`');
    let closed = block_src
        .trim_end()
        .lines()
        .skip(1)
        .last()
        .is_some_and(|l| {
            // Inside a quote the fence line carries the quote's `>` markers.
            let l = l.trim_start_matches([' ', '\t', '>']).trim_end();
            l.len() >= fence_len && l.chars().all(|c| c == fence_char)
        });
    if !closed {
        diags.push(
            Diagnostic::new(
                Code::ReqBlockUnterminated,
                file,
                span.start..span.start + fence_len,
                "`req` block is never closed",
            )
            .with_label("opened here")
            .with_help(format!(
                "add a closing fence line ({}) after the metadata",
                fence_char.to_string().repeat(fence_len)
            )),
        );
        return;
    }
    let content = content.unwrap_or(span.start..span.start);
    // Inside a quote, the lines after the opening fence carry the quote's markers.
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let toml_text = if text[line_start..span.start].contains('>') {
        unquoted(&text[content.clone()])
    } else {
        Cow::Borrowed(&text[content.clone()])
    };
    let toml_text = toml_text.as_ref();
    // Almost every block is valid and has only the known keys: typed straight from the TOML.
    // Anything else (syntax errors, wrong types, extra keys) takes the path that reports it.
    o.req.meta_text = Some(content.clone());
    if let Some(m) = reader
        .typed
        .then(|| crate::req_block::parse(toml_text))
        .flatten()
    {
        o.req.meta = m;
    } else {
        read_req_toml(o, toml_text, content.start, file, reader.validator, diags);
    }
    o.req.body_span.start = span.end;
    o.req.statement_span = span.end..span.end;
}

/// The lines of a fenced block inside a quote without the quote's `>` markers, each replaced by
/// a space so that every byte keeps its offset (diagnostics point into the source).
fn unquoted(block: &str) -> Cow<'_, str> {
    let quoted = |line: &str| line.trim_start_matches([' ', '\t']).starts_with('>');
    if !block.lines().any(quoted) {
        return Cow::Borrowed(block);
    }
    let mut out = String::with_capacity(block.len());
    for line in block.split_inclusive('\n') {
        let prefix = line.len() - line.trim_start_matches([' ', '\t', '>']).len();
        out.extend(
            line[..prefix]
                .chars()
                .map(|c| if c == '>' { ' ' } else { c }),
        );
        out.push_str(&line[prefix..]);
    }
    Cow::Owned(out)
}

/// The `req` block's TOML by the path that reports what is wrong with it: JSON, the schema
/// (with the config's extra fields), and what can be kept of a block that fails.
fn read_req_toml(
    o: &mut Open,
    toml_text: &str,
    offset: usize,
    file: FileId,
    validator: &jsonschema::Validator,
    diags: &mut Vec<Diagnostic>,
) {
    match toml_json::parse(toml_text) {
        Err(e) => diags.push(
            Diagnostic::new(
                Code::ReqBlockInvalid,
                file,
                e.span.start + offset..e.span.end + offset,
                format!("invalid TOML in `req` block: {}", e.message),
            )
            .with_help("the `req` block holds TOML such as `sources = [\"org/doc\"]`"),
        ),
        Ok(doc) => {
            let (m, extra, d) = meta::decode(&doc, validator, file, offset);
            diags.extend(d);
            o.req.meta = m;
            o.req.extra = extra;
        }
    }
}

fn link(
    dest: &str,
    range: Range<usize>,
    chapter: &mut Chapter,
    file: FileId,
    diags: &mut Vec<Diagnostic>,
) {
    if let Some(target) = dest.strip_prefix(REF_SCHEME) {
        chapter.references.push(Reference {
            target: target.to_string(),
            span: range,
        });
        return;
    }
    match link_scheme(dest) {
        Some(s) if matches!(s.as_str(), "http" | "https" | "mailto") => {}
        Some(s) => diags.push(
            Diagnostic::new(
                Code::UnsafeLink,
                file,
                range,
                format!("link scheme `{s}:` is not allowed"),
            )
            .with_help("use an http, https, mailto or relative link"),
        ),
        None => {
            let path = dest.split('#').next().unwrap_or("");
            if path.ends_with(".md") || (path.is_empty() && dest.starts_with('#')) {
                chapter.internal_links.push(Reference {
                    target: dest.to_string(),
                    span: range,
                });
            }
        }
    }
}

/// The scheme of a URL as a browser would read it (control characters and white space removed,
/// lower-cased), or `None` for a relative URL. It reads only up to the first `:`, `/`, `?` or
/// `#`, and allocates only the scheme.
pub fn link_scheme(dest: &str) -> Option<String> {
    let mut scheme = String::new();
    for c in dest
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
    {
        match c {
            ':' => return Some(scheme),
            '/' | '?' | '#' => return None,
            c => scheme.push(c.to_ascii_lowercase()),
        }
    }
    None
}

/// pulldown-cmark expands reference links and images (`[SDP-VR-01]`, `[text][label]`) only
/// until their targets and titles add up to a budget; after that they stay plain text, which
/// would leave them unchecked. This counts the same bytes, to report where that happens.
struct ExpansionBudget {
    /// pulldown-cmark's budget for a text of this length.
    bytes: usize,
    spent: usize,
    reported: bool,
}

impl ExpansionBudget {
    fn of(body: &str) -> Self {
        Self {
            bytes: body.len().max(100_000),
            spent: 0,
            reported: false,
        }
    }

    /// Counts one link or image; reports (once) the one that spends the last of the budget.
    fn spend(
        &mut self,
        link_type: LinkType,
        dest: &str,
        title: &str,
        at: &Range<usize>,
        file: FileId,
        diags: &mut Vec<Diagnostic>,
    ) {
        let reference = matches!(
            link_type,
            LinkType::Reference
                | LinkType::ReferenceUnknown
                | LinkType::Collapsed
                | LinkType::CollapsedUnknown
                | LinkType::Shortcut
                | LinkType::ShortcutUnknown
        );
        if !reference {
            return;
        }
        self.spent += dest.len() + title.len();
        if self.spent >= self.bytes && !self.reported {
            self.reported = true;
            diags.push(
                Diagnostic::new(Code::TooLarge, file, at.clone(), format!("this chapter has more references than the Markdown parser expands (about {} bytes of targets): the ones after this one are neither linked nor checked", self.bytes))
                    .with_label("the last one expanded")
                    .with_help("split the chapter into smaller files"),
            );
        }
    }
}

/// Keeps where a link in a requirement's text leads; a reference (`[SDP-VR-01]`) is its ID,
/// which the text already holds.
fn record_link(req: &mut Requirement, dest: &str) {
    if !dest.starts_with(REF_SCHEME) {
        req.links.push(dest.to_string());
    }
}

/// Ends the current block of text: it becomes part of the open requirement's statement or
/// rationale, or is checked for normative sentences outside any requirement.
fn flush(
    text: &str,
    block: &mut Block,
    open: &mut Option<Open>,
    chapter: &mut Chapter,
    sections: &[(u8, String)],
    file: FileId,
    diags: &mut Vec<Diagnostic>,
) {
    take_block(text, block, open, chapter, sections, file, diags);
    block.clear();
}

fn take_block(
    text: &str,
    b: &Block,
    open: &mut Option<Open>,
    chapter: &mut Chapter,
    sections: &[(u8, String)],
    file: FileId,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(span) = b.span.clone() else { return };
    if b.text.trim().is_empty() {
        return;
    }
    // A statement or rationale that starts inside a quote or list starts with its markers.
    let first = with_markers(text, span.clone());
    for hit in bcp14::nonstandard(&b.scan) {
        diags.push(
            Diagnostic::new(
                Code::NonstandardKeyword,
                file,
                b.source(hit.range),
                format!("`{}` is not a BCP 14 keyword", hit.text),
            )
            .with_help("use one of MUST, MUST NOT, SHOULD, SHOULD NOT, MAY (RFC 2119, RFC 8174)"),
        );
    }
    let statement_mode = open.as_ref().is_some_and(|o| !o.in_rationale)
        && !b.text.trim_start().starts_with("Rationale:");
    if let Some(o) = open.as_mut() {
        if statement_mode {
            for hit in bcp14::keywords(&b.scan) {
                o.req.keywords.push(hit.text);
            }
            for hit in bcp14::lowercase(&b.scan) {
                diags.push(
                    Diagnostic::new(
                        Code::LowercaseKeyword,
                        file,
                        b.source(hit.range),
                        format!("lower-case `{}` in a requirement statement", hit.text),
                    )
                    .with_help(format!(
                        "write `{}` if it is normative, or rephrase (e.g. `can`, `is expected to`)",
                        hit.text.to_uppercase()
                    )),
                );
            }
            let r = &mut o.req;
            if r.statement.is_empty() {
                r.statement_span = first;
            } else {
                r.statement.push_str("\n\n");
                r.statement_span.end = span.end;
            }
            r.statement.push_str(b.text.trim());
            return;
        }
        o.in_rationale = true;
        let text = b.text.trim();
        let text = text.strip_prefix("Rationale:").unwrap_or(text).trim();
        match (&mut o.req.rationale, &mut o.req.rationale_span) {
            (Some(r), Some(s)) => {
                r.push_str("\n\n");
                r.push_str(text);
                s.end = span.end;
            }
            _ => {
                o.req.rationale = Some(text.to_string());
                o.req.rationale_span = Some(first);
            }
        }
    }
    // Outside a statement: every normative sentence is reported once.
    if !bcp14::mentions_keyword(&b.scan) {
        return;
    }
    for sentence in bcp14::sentences(&b.scan) {
        let hits = bcp14::keywords(&b.scan[sentence.clone()]);
        if hits.is_empty() {
            continue;
        }
        let keywords: Vec<String> = hits.into_iter().map(|h| h.text).collect();
        let strength = bcp14::strongest(keywords.iter().map(String::as_str));
        let src = b.source(sentence.clone());
        let where_ = if open.is_some() {
            "in a rationale"
        } else {
            "outside any requirement"
        };
        diags.push(
            Diagnostic::new(Code::UnidentifiedStatement, file, src.clone(), format!("normative statement ({}) {where_}", keywords.join(", ")))
                .with_help("make it a requirement: put it under a heading with an ID such as `### Title {#ID-1}` (`specbook ids --assign` can do this), or quote the keyword to mention it"),
        );
        chapter.unidentified.push(Statement {
            text: b.text[sentence].to_string(),
            span: src,
            keywords,
            strength,
            section: sections.iter().map(|(_, t)| t.clone()).collect(),
        });
    }
}

/// `span` from the start of its line when only quote and list markers precede it there
/// (`> - text`), so that its Markdown renders inside the same quote and list.
fn with_markers(text: &str, span: Range<usize>) -> Range<usize> {
    let Some(before) = text.get(..span.start) else {
        return span;
    };
    let line = before.rfind('\n').map_or(0, |i| i + 1);
    let markers = before[line..].bytes().all(|c| {
        matches!(c, b' ' | b'\t' | b'>' | b'-' | b'*' | b'+' | b'.' | b')') || c.is_ascii_digit()
    });
    if markers { line..span.end } else { span }
}

fn close(
    open: Option<Open>,
    end: usize,
    chapter: &mut Chapter,
    file: FileId,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(o) = open else { return };
    let mut r = o.req;
    r.body_span.end = end.max(r.body_span.start);
    r.strength = bcp14::strongest(r.keywords.iter().map(String::as_str));
    if r.keywords.is_empty() && r.meta.status != meta::ReqStatus::Withdrawn {
        diags.push(
            Diagnostic::new(Code::MissingKeyword, file, r.id_span.clone(), format!("requirement `{}` has no BCP 14 keyword", r.id))
                .with_label("this requirement")
                .with_help("state it with MUST, SHOULD or MAY in the statement, or set `status = \"withdrawn\"` for a tombstone"),
        );
    }
    chapter.requirements.push(r);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_capacity_counts_headings_up_to_a_bound() {
        let chapter = "# C\n\n## A {#A-1}\n\nx\n\n## B {#A-2}\n\ny {#A-3}\n";
        assert_eq!(requirement_capacity(chapter), 3);
        assert_eq!(requirement_capacity("no headings"), 0);
        // A hostile file of nothing but `{#` (8 MiB would be 4 Mi of them, 1.8 GB reserved).
        let hostile = "{#".repeat(100_000);
        assert_eq!(requirement_capacity(&hostile), MAX_PRESIZED_REQUIREMENTS);
    }

    #[test]
    fn front_matter_kinds() {
        assert_eq!(
            front_matter("+++\na = 1\n+++\n# T"),
            Some(('+', 4..10, Some(14)))
        );
        assert_eq!(
            front_matter("---\nA: 1\n---\n"),
            Some(('-', 4..9, Some(13)))
        );
        assert_eq!(front_matter("---\nA: 1\n# T\n"), Some(('-', 4..13, None)));
        assert_eq!(front_matter("# T\n"), None);
    }

    #[test]
    fn schemes() {
        assert_eq!(
            link_scheme("java\tscript:alert(1)").as_deref(),
            Some("javascript")
        );
        assert_eq!(link_scheme("JAVASCRIPT:x").as_deref(), Some("javascript"));
        assert_eq!(link_scheme("other.md#a:b"), None);
        assert_eq!(link_scheme("https://x").as_deref(), Some("https"));
        assert_eq!(link_scheme(" \u{1}MailTo:x").as_deref(), Some("mailto"));
        assert_eq!(link_scheme(":x").as_deref(), Some(""));
        assert_eq!(link_scheme("dir/page:1"), None);
        assert_eq!(link_scheme("?q=a:b"), None);
        assert_eq!(link_scheme("page.html"), None);
        assert_eq!(link_scheme(""), None);
    }

    #[test]
    fn reference_like_names() {
        let re = Regex::new(crate::config::DEFAULT_ID_PATTERN).expect("regex");
        assert!(is_reference_like("SDP-VH-01", &re));
        assert!(is_reference_like("apache/apache-report-code", &re));
        assert!(!is_reference_like("see note", &re));
        assert!(!is_reference_like("note", &re));
        assert!(is_reference_like("AC-2(1)", &re));
        assert!(!is_reference_like("https://x/y", &re));
        assert!(is_reference_like("X-1", &re));
        assert!(is_reference_like("A_1.2", &re));
        assert!(!is_reference_like("1-X", &re));
        assert!(!is_reference_like("A-\u{e9}1", &re));
        assert!(!is_reference_like("A-1!", &re));
    }

    #[test]
    fn quote_markers_become_spaces_in_place() {
        assert!(matches!(unquoted("a = 1\nb = 2\n"), Cow::Borrowed(_)));
        let block = "a = 1\n> b = \"x > y\"\n > > c = 3\n";
        let plain = unquoted(block);
        assert_eq!(plain, "a = 1\n  b = \"x > y\"\n     c = 3\n");
        assert_eq!(plain.len(), block.len());
    }

    #[test]
    fn invisible_characters_among_other_non_ascii_text() {
        // An em dash and a curly quote share the lead bytes of the invisible characters.
        let text = "\u{FEFF}A \u{2014} \u{201C}MU\u{200B}ST\u{201D} \u{FEFF}\u{202E}x";
        let mut diags = Vec::new();
        invisible_characters(text, FileId(0), &mut diags);
        let at: Vec<_> = diags.iter().map(|d| d.primary.span.clone()).collect();
        let zwsp = text.find('\u{200B}').expect("zwsp");
        let bom = text.rfind('\u{FEFF}').expect("second bom");
        assert_eq!(at, vec![zwsp..zwsp + 3, bom..bom + 3, bom + 3..bom + 6]);
    }
}
