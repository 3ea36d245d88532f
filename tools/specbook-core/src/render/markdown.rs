//! Chapter prose for the site: finds a chapter's headings (in the order of `Chapter::anchors`),
//! gives the ones without an ID a unique slug `id` so `other.md#slug` links land, renders
//! source ranges with `html::render`, split at those headings, and renders its footnotes once,
//! for the end of the page.

use crate::html::{self, Resolve};
use crate::model::Chapter;
use crate::parse;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use regex::Regex;
use std::collections::BTreeSet;
use std::ops::Range;

/// One heading of a chapter.
#[derive(Clone, Debug)]
struct Heading {
    /// Source range (file coordinates), the whole heading line(s).
    range: Range<usize>,
    /// Level, 1–6.
    level: u8,
    /// Plain text.
    title: String,
    /// Whether it sits outside any list, quote or footnote (only those can be split off).
    top_level: bool,
    /// The `id` attribute it gets; `None` for requirements (their blocks carry the ID) and for
    /// duplicates.
    id: Option<String>,
}

/// A chapter's text prepared for rendering.
pub(crate) struct ChapterText<'a> {
    text: &'a str,
    headings: Vec<Heading>,
    /// Link reference definitions of the whole chapter, appended to every fragment so
    /// `[text][label]` links resolve wherever the definition stands.
    defs: String,
    /// The heading the chapter title comes from (rendered by the template, not the prose).
    pub(crate) title: Option<(Range<usize>, String)>,
    /// Footnote definitions outside lists and quotes, in source order: label and source range.
    /// The pieces leave them out; the chapter page shows them once, at its end.
    footnotes: Vec<(String, Range<usize>)>,
}

/// A footnote as the chapter page shows it.
#[derive(serde::Serialize)]
pub(crate) struct Note {
    /// Element id, `fn:<label>`, which the references link to.
    id: String,
    /// The label as written.
    label: String,
    /// Its content.
    html: String,
}

impl<'a> ChapterText<'a> {
    /// Reads the headings of `chapter`; `taken` holds ids the templates already use.
    pub(crate) fn new(chapter: &Chapter, text: &'a str, taken: &[&str]) -> Self {
        let base = chapter.body_start.min(text.len());
        let body = &text[base..];
        let mut parser = Parser::new_ext(body, parse::options()).into_offset_iter();
        let mut headings = Vec::new();
        let mut title_index = None;
        let mut containers = 0usize;
        let mut in_heading = false;
        let mut footnotes = Vec::new();
        for (event, range) in &mut parser {
            // The first definition of a label is the one pulldown-cmark uses.
            if let Event::Start(Tag::FootnoteDefinition(label)) = &event
                && containers == 0
                && !footnotes
                    .iter()
                    .any(|(l, _): &(String, _)| unicase::eq(l.as_str(), label.as_ref()))
            {
                footnotes.push((label.to_string(), range.start + base..range.end + base));
            }
            match event {
                Event::Start(Tag::Heading { level, id, .. }) => {
                    let level = level as u8;
                    if id.is_none() && level == 1 && title_index.is_none() {
                        title_index = Some(headings.len());
                    }
                    in_heading = true;
                    headings.push(Heading {
                        range: range.start + base..range.end + base,
                        level,
                        title: String::new(),
                        top_level: containers == 0,
                        id: id.map(|i| i.to_string()),
                    });
                }
                Event::End(TagEnd::Heading(_)) => in_heading = false,
                Event::Text(t) | Event::Code(t) if in_heading => {
                    if let Some(h) = headings.last_mut() {
                        h.title.push_str(&t);
                    }
                }
                Event::Start(
                    Tag::BlockQuote(_) | Tag::List(_) | Tag::Item | Tag::FootnoteDefinition(_),
                ) => containers += 1,
                Event::End(
                    TagEnd::BlockQuote(_)
                    | TagEnd::List(_)
                    | TagEnd::Item
                    | TagEnd::FootnoteDefinition,
                ) => containers = containers.saturating_sub(1),
                _ => {}
            }
        }
        let defs = chapter.definitions_text(text);

        let mut used: BTreeSet<String> = taken.iter().map(|s| s.to_string()).collect();
        used.extend(chapter.requirements.iter().map(|r| r.id.clone()));
        let mut title = None;
        let headings = headings
            .into_iter()
            .enumerate()
            .map(|(i, mut h)| {
                // `anchors` has one entry per heading, in order (parse pushes one for each).
                let anchor = chapter.anchors.get(i).cloned().unwrap_or_default();
                let is_requirement = h.id.is_some();
                h.title = h.title.trim().to_string();
                h.id = (!is_requirement && !anchor.is_empty() && used.insert(anchor.clone()))
                    .then_some(anchor);
                if Some(i) == title_index && h.top_level {
                    title = Some((h.range.clone(), h.id.clone().unwrap_or_default()));
                }
                h
            })
            .collect();
        Self {
            text,
            headings,
            defs,
            title,
            footnotes,
        }
    }

    /// The chapter's footnotes, each rendered on its own (links relative to the site root).
    pub(crate) fn notes(&self, id_pattern: &Regex, resolve: &dyn Resolve) -> Vec<Note> {
        self.footnotes
            .iter()
            .filter_map(|(label, range)| {
                let src = self.text.get(range.clone())?;
                Some(Note {
                    id: html::footnote_id(label),
                    label: label.clone(),
                    html: html::render_footnote(src, &self.defs, id_pattern, resolve),
                })
            })
            .collect()
    }

    /// Top-level section headings of `level` outside requirements, with their ids: `(title, id)`.
    pub(crate) fn sections(&self, level: u8) -> Vec<(String, String)> {
        self.headings
            .iter()
            .filter(|h| h.top_level && h.level == level)
            .filter_map(|h| Some((h.title.clone(), h.id.clone()?)))
            .collect()
    }

    /// Whether [`Self::render`] would split `range` at a heading (or leave out the title).
    pub(crate) fn splits(&self, range: Range<usize>) -> bool {
        self.headings
            .iter()
            .any(|h| h.top_level && h.range.start >= range.start && h.range.end <= range.end)
    }

    /// Renders `range` of the chapter to HTML: prose through `html::render`, each top-level
    /// heading separately with its slug `id`; the title heading is left out.
    pub(crate) fn render(
        &self,
        range: Range<usize>,
        id_pattern: &Regex,
        resolve: &dyn Resolve,
        prefix: &str,
        strip_label: bool,
    ) -> String {
        let mut out = String::new();
        let mut cursor = range.start;
        let mut first = strip_label;
        let piece = |out: &mut String, r: Range<usize>, first: &mut bool| {
            let Some(src) = self.text.get(r) else { return };
            if src.trim().is_empty() {
                return;
            }
            let html =
                html::render_in_chapter(src, &self.defs, id_pattern, resolve, prefix, *first);
            *first = false;
            out.push_str(&html);
        };
        for h in &self.headings {
            if !h.top_level || h.range.start < cursor || h.range.end > range.end {
                continue;
            }
            piece(&mut out, cursor..h.range.start, &mut first);
            cursor = h.range.end;
            let is_title = self.title.as_ref().is_some_and(|(r, _)| *r == h.range);
            if is_title {
                continue;
            }
            let Some(src) = self.text.get(h.range.clone()) else {
                continue;
            };
            let html = html::render(src, id_pattern, resolve, prefix, false);
            out.push_str(&with_id(&html, h.id.as_deref()));
        }
        piece(&mut out, cursor..range.end, &mut first);
        out
    }
}

/// Adds `id="…"` to the opening `<hN` tag of a rendered heading.
fn with_id(html: &str, id: Option<&str>) -> String {
    let Some(id) = id else {
        return html.to_string();
    };
    let is_heading = html.len() > 3
        && html.starts_with("<h")
        && html.as_bytes()[2].is_ascii_digit()
        && !html[3..].starts_with(" id=");
    if !is_heading {
        return html.to_string();
    }
    format!(
        "{} id=\"{}\"{}",
        &html[..3],
        crate::html::escape(id),
        &html[3..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_go_into_the_opening_tag() {
        assert_eq!(
            with_id("<h2>A b</h2>\n", Some("a-b")),
            "<h2 id=\"a-b\">A b</h2>\n"
        );
        assert_eq!(
            with_id("<h3 class=\"x\">A</h3>\n", Some("a\"b")),
            "<h3 id=\"a&quot;b\" class=\"x\">A</h3>\n"
        );
        assert_eq!(with_id("<p>x</p>", Some("a")), "<p>x</p>");
        assert_eq!(with_id("<h2>A</h2>", None), "<h2>A</h2>");
    }
}
