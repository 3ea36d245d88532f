//! Markdown → HTML for the catalogue and the site: renders a byte range of a chapter with
//! `[ID]` references resolved, links to chapter files rewritten, unsafe schemes and raw HTML
//! neutralised. pulldown-cmark escapes all text and attribute values.

use crate::parse::{self, REF_SCHEME};
use pulldown_cmark::{CowStr, Event, Parser, Tag};
use regex::Regex;

/// How to turn a reference target into a URL (relative to the site root) and a title.
pub trait Resolve {
    /// `target` is `SDP-VH-01`, `org/doc#section` or a framework item id.
    fn reference(&self, target: &str) -> Option<(String, String)>;
    /// `other.md#anchor` or `#anchor` → page URL relative to the site root.
    fn chapter_link(&self, target: &str) -> Option<String>;
}

/// [`render`] for a part of a chapter rendered on its own: the chapter's link reference
/// definitions `definitions` (see `Chapter::definitions_text`) are appended to it so that
/// `[text][label]` links resolve.
pub fn render_in_chapter(
    markdown: &str,
    definitions: &str,
    id_pattern: &Regex,
    resolve: &dyn Resolve,
    prefix: &str,
    strip_label: bool,
) -> String {
    if definitions.is_empty() {
        render(markdown, id_pattern, resolve, prefix, strip_label)
    } else {
        let with = format!("{markdown}\n\n{definitions}");
        render(&with, id_pattern, resolve, prefix, strip_label)
    }
}

/// Renders `markdown` to HTML; `prefix` is the path from the page to the site root (`""`, `"../"`).
/// With `strip_label`, a leading `Rationale:` is removed.
pub fn render(
    markdown: &str,
    id_pattern: &Regex,
    resolve: &dyn Resolve,
    prefix: &str,
    strip_label: bool,
) -> String {
    let parser = Parser::new_with_broken_link_callback(
        markdown,
        parse::options(),
        Some(parse::ReferenceCallback(id_pattern)),
    );
    let mut first_text = strip_label;
    let events = parser.filter_map(|event| match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let (dest, title) = rewrite(&dest_url, title, resolve, prefix);
            Some(Event::Start(Tag::Link {
                link_type,
                dest_url: dest,
                title,
                id,
            }))
        }
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let (dest, title) = rewrite(&dest_url, title, resolve, prefix);
            Some(Event::Start(Tag::Image {
                link_type,
                dest_url: dest,
                title,
                id,
            }))
        }
        Event::Html(_) | Event::InlineHtml(_) => None,
        Event::Text(t) if first_text => {
            first_text = false;
            match t.strip_prefix("Rationale:") {
                Some(rest) => Some(Event::Text(CowStr::from(rest.trim_start().to_string()))),
                None => Some(Event::Text(t)),
            }
        }
        other => Some(other),
    });
    // HTML is usually a little longer than its Markdown; the result is kept (in the catalogue),
    // so spare capacity is given back.
    let mut out = String::with_capacity(markdown.len() + markdown.len() / 4);
    pulldown_cmark::html::push_html(&mut out, events);
    out.shrink_to_fit();
    out
}

fn rewrite<'a>(
    dest: &str,
    title: CowStr<'a>,
    resolve: &dyn Resolve,
    prefix: &str,
) -> (CowStr<'a>, CowStr<'a>) {
    if let Some(target) = dest.strip_prefix(REF_SCHEME) {
        return match resolve.reference(target) {
            Some((url, t)) => (join(prefix, &url), CowStr::from(t)),
            None => (CowStr::from("#"), title),
        };
    }
    match parse::link_scheme(dest) {
        Some(s) if matches!(s.as_str(), "http" | "https" | "mailto") => {
            (CowStr::from(dest.to_string()), title)
        }
        Some(_) => (CowStr::from("#"), title),
        None => {
            let path = dest.split('#').next().unwrap_or("");
            if path.ends_with(".md") || (path.is_empty() && dest.starts_with('#')) {
                match resolve.chapter_link(dest) {
                    Some(url) => (join(prefix, &url), title),
                    None => (CowStr::from("#"), title),
                }
            } else {
                (CowStr::from(dest.to_string()), title)
            }
        }
    }
}

fn join(prefix: &str, url: &str) -> CowStr<'static> {
    if url.contains("://") || url.starts_with("mailto:") {
        CowStr::from(url.to_string())
    } else {
        CowStr::from(format!("{prefix}{url}"))
    }
}

/// Escapes text for HTML element content and attribute values (`&`, `<`, `>`, `"`, `'`): the
/// one escaper for HTML that specbook writes itself rather than through pulldown-cmark or tera.
pub fn escape(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len() + text.len() / 8);
    // Writing into a vector cannot fail.
    let _ = escape_into(text, &mut out);
    // Only ASCII bytes were replaced, by ASCII, so the text is still UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// [`escape`] into a writer: the escaper of every template (`Tera::set_escape_fn`). Runs of
/// bytes that need no escaping are written in one call, not byte by byte.
pub fn escape_into(text: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        let entity: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#39;",
            _ => continue,
        };
        out.write_all(&bytes[start..i])?;
        out.write_all(entity)?;
        start = i + 1;
    }
    out.write_all(&bytes[start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_characters_and_keeps_the_rest() {
        assert_eq!(
            escape(r#"a<b>&"c"'d' é — x"#),
            "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39; é — x"
        );
        assert_eq!(escape(""), "");
        assert_eq!(escape("&"), "&amp;");
        assert_eq!(escape("plain"), "plain");
    }

    #[test]
    fn escapes_exactly_as_tera_does_by_default() {
        // The templates' escaper replaces tera's: the site's bytes must not change.
        for text in [
            "",
            "plain text",
            r#"<script>alert("x")</script>"#,
            "it's & <b>",
            "'\"&<>",
            "ünïcödé — “quotes” ‘single’ 🎉 <>",
            "trailing &",
        ] {
            let mut ours = Vec::new();
            escape_into(text, &mut ours).expect("a vector takes every write");
            let mut theirs = Vec::new();
            tera::escape_html(text, &mut theirs).expect("a vector takes every write");
            assert_eq!(ours, theirs, "{text}");
        }
    }
}
