//! Markdown → HTML for the catalogue and the site: renders a byte range of a chapter with
//! `[ID]` references resolved, links to chapter files rewritten, unsafe schemes and raw HTML
//! neutralised. pulldown-cmark escapes all text and attribute values.

use crate::parse::{self, REF_SCHEME};
use pulldown_cmark::{CowStr, Event, Parser, Tag, TagEnd};
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

/// The content of the footnote definition `markdown` (`[^a]: text`, with its continuation
/// lines) without the definition around it, for the notes at the end of its chapter page;
/// `definitions` as in [`render_in_chapter`].
pub fn render_footnote(
    markdown: &str,
    definitions: &str,
    id_pattern: &Regex,
    resolve: &dyn Resolve,
) -> String {
    let with = format!("{markdown}\n\n{definitions}");
    render_with(&with, id_pattern, resolve, "", false, Footnotes::Unwrap)
}

/// The id of the note of footnote `label` on its chapter page. No heading slug and no ID of the
/// default pattern has a `:`. The label is case-folded, as pulldown-cmark matches it: `[^Note]`
/// refers to `[^note]:`.
pub fn footnote_id(label: &str) -> String {
    format!("fn:{}", unicase::UniCase::new(label).to_folded_case())
}

/// What [`render_with`] does with footnote definitions.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Footnotes {
    /// Leaves them out: a chapter is rendered in pieces, and its notes once, at its end.
    Drop,
    /// Keeps the content of the first one without the definition around it, and leaves out the
    /// others (the chapter's stand-ins appended to it).
    Unwrap,
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
    render_with(
        markdown,
        id_pattern,
        resolve,
        prefix,
        strip_label,
        Footnotes::Drop,
    )
}

fn render_with(
    markdown: &str,
    id_pattern: &Regex,
    resolve: &dyn Resolve,
    prefix: &str,
    strip_label: bool,
    footnotes: Footnotes,
) -> String {
    let parser = Parser::new_with_broken_link_callback(
        markdown,
        parse::options(),
        Some(parse::ReferenceCallback(id_pattern)),
    );
    let mut first_text = strip_label;
    let mut in_definition = 0usize;
    let mut definitions = 0usize;
    let events = parser.filter_map(|event| {
        match &event {
            Event::Start(Tag::FootnoteDefinition(_)) => {
                in_definition += 1;
                definitions += 1;
                return None;
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                in_definition = in_definition.saturating_sub(1);
                return None;
            }
            _ => {}
        }
        let keep = match footnotes {
            Footnotes::Drop => in_definition == 0,
            Footnotes::Unwrap => in_definition > 0 && definitions == 1,
        };
        if !keep {
            return None;
        }
        rewrite_event(event, resolve, prefix, &mut first_text)
    });
    // HTML is usually a little longer than its Markdown; the result is kept (in the catalogue),
    // so spare capacity is given back.
    let mut out = String::with_capacity(markdown.len() + markdown.len() / 4);
    pulldown_cmark::html::push_html(&mut out, events);
    out.shrink_to_fit();
    out
}

/// One event with its links resolved, raw HTML left out, a footnote reference made a link to
/// the note on the chapter page, and (while `first_text`) a leading `Rationale:` removed.
fn rewrite_event<'a>(
    event: Event<'a>,
    resolve: &dyn Resolve,
    prefix: &str,
    first_text: &mut bool,
) -> Option<Event<'a>> {
    match event {
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
        // Only the ID of a heading is published: classes and `key=value` attributes would put
        // source text into HTML attributes (`style`, `on…`) that nothing checks.
        Event::Start(Tag::Heading { level, id, .. }) => Some(Event::Start(Tag::Heading {
            level,
            id,
            classes: Vec::new(),
            attrs: Vec::new(),
        })),
        Event::Html(_) | Event::InlineHtml(_) => None,
        Event::FootnoteReference(label) => {
            let href = resolve
                .chapter_link(&format!("#{}", footnote_id(&label)))
                .map_or_else(|| CowStr::from("#"), |url| join(prefix, &url));
            Some(Event::InlineHtml(CowStr::from(format!(
                "<sup class=\"footnote-reference\"><a href=\"{}\">{}</a></sup>",
                escape(&href),
                escape(&label)
            ))))
        }
        Event::Text(t) if *first_text => {
            *first_text = false;
            match t.strip_prefix("Rationale:") {
                Some(rest) => Some(Event::Text(CowStr::from(rest.trim_start().to_string()))),
                None => Some(Event::Text(t)),
            }
        }
        other => Some(other),
    }
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
                // A path relative to the page (an image, a file beside the chapters) is
                // relative to the site root, like every other link the chapters write.
                (join(prefix, dest), title)
            }
        }
    }
}

/// Whether `url`, written relative to the site root, needs the page's prefix: it is not empty,
/// has no scheme and does not start with `/`, `\\`, `#` or `?`.
fn is_root_relative(url: &str) -> bool {
    !url.is_empty() && !url.starts_with(['/', '\\', '#', '?']) && parse::link_scheme(url).is_none()
}

fn join(prefix: &str, url: &str) -> CowStr<'static> {
    if is_root_relative(url) {
        CowStr::from(format!("{prefix}{url}"))
    } else {
        CowStr::from(url.to_string())
    }
}

/// HTML that [`render`] made for a page at the site root, moved to a page `prefix` below it
/// (`"../"`): every `href` and `src` relative to the root gets the prefix, as [`render`] with
/// that prefix would have written it. Only for [`render`]'s own output, in which `<` outside a
/// tag is always escaped, and `"` and `>` inside a tag only delimit values and end the tag (text
/// between tags may hold a literal `href="…"`, which stays as it is).
pub fn with_prefix(html: &str, prefix: &str) -> String {
    if prefix.is_empty() {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let close = rest[open..].find('>').map_or(rest.len(), |i| open + i + 1);
        out.push_str(&rest[..open]);
        prefix_tag(&rest[open..close], prefix, &mut out);
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// HTML that [`render`] made, with every heading `by` levels higher but never above `<h2>`
/// (`<h4 id="x">` → `<h2 id="x">` for 2): the sub-headings of a requirement on its own page,
/// where the requirement is the `<h1>`. Only for [`render`]'s own output, in which `<` outside
/// a tag is always escaped.
pub fn raise_headings(html: String, by: u8) -> String {
    if by == 0 || !html.contains("<h") {
        return html;
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        let name = usize::from(rest.as_bytes().get(1) == Some(&b'/')) + 1;
        match rest.as_bytes().get(name..name + 3) {
            Some(&[b'h', digit @ b'1'..=b'6', end]) if end == b'>' || end == b' ' => {
                out.push_str(&rest[..name + 1]);
                out.push(char::from(b'0' + (digit - b'0').saturating_sub(by).max(2)));
                rest = &rest[name + 2..];
            }
            _ => {
                out.push('<');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Appends one tag (`<a href="…" title="…">`) to `out`, with `prefix` before each of its
/// `href` and `src` values that is relative to the site root.
fn prefix_tag(tag: &str, prefix: &str, out: &mut String) {
    let mut rest = tag;
    while let Some(at) = find_url_attribute(rest) {
        let (head, value) = rest.split_at(at);
        out.push_str(head);
        let end = value.find('"').unwrap_or(value.len());
        if is_root_relative(&value[..end]) {
            out.push_str(prefix);
        }
        out.push_str(&value[..end]);
        rest = &value[end..];
    }
    out.push_str(rest);
}

/// Byte offset just after the next ` href="` or ` src="` in `html`.
fn find_url_attribute(html: &str) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut from = 0;
    while let Some(i) = html[from..].find("=\"") {
        let eq = from + i;
        let name_start = bytes[..eq]
            .iter()
            .rposition(|b| !b.is_ascii_alphabetic())
            .map_or(0, |p| p + 1);
        let name = &html[name_start..eq];
        if name_start > 0 && bytes[name_start - 1] == b' ' && (name == "href" || name == "src") {
            return Some(eq + 2);
        }
        from = eq + 2;
    }
    None
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

    /// Requirements `R-1`… live under `req/`, chapters are `<slug>.html`, `org/doc` is external,
    /// framework item `CRA-1` has no URL.
    struct Site;

    impl Resolve for Site {
        fn reference(&self, target: &str) -> Option<(String, String)> {
            match target {
                "org/doc" => Some(("https://example.org/doc".into(), "Doc".into())),
                "CRA-1" => Some((String::new(), "Annex I".into())),
                t if t.starts_with("R-") => Some((format!("req/{t}.html"), "T".into())),
                _ => None,
            }
        }

        fn chapter_link(&self, target: &str) -> Option<String> {
            let (path, anchor) = target.split_once('#').unwrap_or((target, ""));
            let slug = if path.is_empty() {
                "here"
            } else {
                path.trim_end_matches(".md")
            };
            Some(format!("{slug}.html#{anchor}"))
        }
    }

    const LINKS: &str = "See [R-1], [org/doc], [CRA-1], [two](two.md#x), [here](#y), \
        [img](images/a.png) ![alt \"q\" src=\"x\"](images/b%20c.png \"t href=x\"), \
        [up](../up.html), [dot](./d.html), [abs](/abs.html), [q](?q=1), [frag](#), \
        [web](https://example.org/p?a=b&c=d), [mail](mailto:a@example.org), \
        [bad](javascript:alert(1)), [empty](), <https://auto.example.org>, and \
        `href=\"code\"` with src=\"text\" and footnote[^1], 1 > 0 href=\"gt\", \
        [tricky](t.html \"a > b \\\" src=\\\"c\") and [spaced](<s p.html>).\n\n\
        [^1]: A [note](n.html).\n";

    fn at(prefix: &str) -> String {
        let pattern = Regex::new(r"^[A-Z]+-[0-9]+$").expect("pattern");
        render(LINKS, &pattern, &Site, prefix, false)
    }

    #[test]
    fn links_relative_to_the_root_get_the_prefix_and_the_rest_do_not() {
        let html = at("../");
        for expected in [
            r#"href="../req/R-1.html""#,
            r#"href="https://example.org/doc""#,
            r#"href="../two.html#x""#,
            r#"href="../here.html#y""#,
            r#"href="../images/a.png""#,
            r#"src="../images/b%20c.png""#,
            r#"href="../../up.html""#,
            r#"href=".././d.html""#,
            r#"href="/abs.html""#,
            r#"href="?q=1""#,
            r#"href="https://example.org/p?a=b&amp;c=d""#,
            r#"href="mailto:a@example.org""#,
            r#"href="https://auto.example.org""#,
            // A footnote reference links to the note on its chapter page; the definition is
            // left out here (the chapter page shows it once, see `render_footnote`).
            r#"<sup class="footnote-reference"><a href="../here.html#fn:1">1</a></sup>"#,
            r#"href="../t.html""#,
            r#"href="../s%20p.html""#,
        ] {
            assert!(html.contains(expected), "{expected} missing in {html}");
        }
        assert!(!html.contains("javascript"), "{html}");
        assert!(
            !html.contains("n.html"),
            "the footnote's definition was rendered: {html}"
        );
        // Text that looks like an attribute is text: pulldown-cmark leaves its quotes as they are.
        assert!(html.contains(r#"with src="text" and"#), "{html}");
        assert!(html.contains(r#"<code>href="code"</code>"#), "{html}");
        assert!(html.contains(r#"<a href="">empty</a>"#), "{html}");
        assert!(html.contains(r#"1 &gt; 0 href="gt""#), "{html}");
    }

    #[test]
    fn a_footnote_renders_alone_without_its_definition_or_the_stand_ins() {
        let pattern = Regex::new(r"^[A-Z]+-[0-9]+$").expect("pattern");
        let note = render_footnote(
            "[^1]: A [note](n.html)\n    on two lines.",
            "\n[^1]: .\n\n[^2]: .\n",
            &pattern,
            &Site,
        );
        assert_eq!(
            note,
            "<p>A <a href=\"n.html\">note</a>\non two lines.</p>\n"
        );
    }

    #[test]
    fn with_prefix_moves_root_html_exactly_as_rendering_with_the_prefix_does() {
        let root = at("");
        assert_ne!(root, at("../"));
        assert_eq!(with_prefix(&root, "../"), at("../"));
        assert_eq!(with_prefix(&root, "../../"), at("../../"));
        assert_eq!(with_prefix(&root, ""), root);
    }

    #[test]
    fn raising_headings_changes_only_heading_tags_and_stops_at_h2() {
        let pattern = Regex::new(r"^[A-Z]+-[0-9]+$").expect("pattern");
        let html = render(
            "#### Sub {#sub}\n\ntext <h4> `<h5>`\n\n##### Deeper\n\n---\n\n> # Quoted\n",
            &pattern,
            &Site,
            "",
            false,
        );
        assert_eq!(
            raise_headings(html.clone(), 2),
            "<h2 id=\"sub\">Sub</h2>\n<p>text  <code>&lt;h5&gt;</code></p>\n<h3>Deeper</h3>\n<hr />\n<blockquote>\n<h2>Quoted</h2>\n</blockquote>\n"
        );
        assert_eq!(raise_headings(html.clone(), 0), html);
    }

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
