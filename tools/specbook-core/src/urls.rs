//! URLs in the site and in the catalogue's HTML: percent-encoding of page paths and fragments
//! built from IDs, slugs and organisation ids, percent-decoding of the chapter links that
//! sources write, and the scheme allow-list for external links taken from the registries.

use crate::parse::link_scheme;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use std::borrow::Cow;

/// Every byte but RFC 3986's unreserved characters (letters, digits, `-`, `.`, `_`, `~`).
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes everything but RFC 3986 unreserved characters, so no ID, slug or file
/// name can end a path segment, start a query or break out of an attribute.
pub(crate) fn component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_component(&mut out, s);
    out
}

/// [`component`], appended to `out`.
pub(crate) fn push_component(out: &mut String, s: &str) {
    out.extend(utf8_percent_encode(s, NOT_UNRESERVED));
}

/// The text a percent-encoded part of a link stands for, as a browser decodes it (`%23` is
/// `#`); bytes that are not UTF-8 become U+FFFD, which names no chapter and no anchor.
pub(crate) fn decode(s: &str) -> Cow<'_, str> {
    percent_decode_str(s).decode_utf8_lossy()
}

/// A Markdown link from one chapter to another (`04-reporting.md#SDP-VR-01`, `./x.md`) or
/// within one (`#anchor`), percent-decoded, so that `02-handling%232.md` names the file
/// `02-handling#2.md`.
pub(crate) struct ChapterLink<'a> {
    /// The chapter file relative to the spec folder, without a leading `./`; empty for the
    /// linking chapter itself.
    pub file: Cow<'a, str>,
    /// The fragment, if the link has one.
    pub anchor: Option<Cow<'a, str>>,
}

impl<'a> ChapterLink<'a> {
    /// Reads a link destination; only its first `#` starts the fragment.
    pub(crate) fn parse(dest: &'a str) -> Self {
        let (path, anchor) = match dest.split_once('#') {
            Some((p, a)) => (p, Some(a)),
            None => (dest, None),
        };
        Self {
            file: decode(path.trim_start_matches("./")),
            anchor: anchor.map(decode),
        }
    }
}

/// Encodes a path relative to the site root (`req/ID.html`, `slug.html#anchor`): each segment
/// and the fragment are encoded; `/` and the first `#` are kept.
pub(crate) fn path(p: &str) -> String {
    let mut out = String::with_capacity(p.len() + 8);
    push_path(&mut out, p);
    out
}

/// A relative file path as a URI reference: every segment encoded, `/` kept, and no `#` or
/// `?` read as anything but part of a name (SARIF's `artifactLocation.uri`).
pub(crate) fn file_uri(p: &str) -> String {
    let mut out = String::with_capacity(p.len() + 8);
    push_segments(&mut out, p);
    out
}

/// Each `/`-separated segment of `p` encoded with [`push_component`], appended to `out`.
fn push_segments(out: &mut String, p: &str) {
    for (i, segment) in p.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        push_component(out, segment);
    }
}

/// [`path`], appended to `out`.
pub(crate) fn push_path(out: &mut String, p: &str) {
    let (path, fragment) = match p.split_once('#') {
        Some((a, f)) => (a, Some(f)),
        None => (p, None),
    };
    push_segments(out, path);
    if let Some(f) = fragment {
        out.push('#');
        push_component(out, f);
    }
}

/// An external URL from the registries if its scheme is allowed (http, https, mailto), else `#`.
pub(crate) fn external(url: &str) -> &str {
    match link_scheme(url) {
        Some(s) if matches!(s.as_str(), "http" | "https" | "mailto") => url,
        _ => "#",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_keep_every_character_inside_its_name() {
        assert_eq!(file_uri("spec/04-a b.md"), "spec/04-a%20b.md");
        assert_eq!(file_uri("c:d.md"), "c%3Ad.md");
        assert_eq!(file_uri("spec/a#b?.md"), "spec/a%23b%3F.md");
        assert_eq!(file_uri("100%.md"), "100%25.md");
        assert_eq!(file_uri("spec/02-two.md"), "spec/02-two.md");
    }

    #[test]
    fn encodes_everything_that_could_escape() {
        assert_eq!(component("SDP-VR-01"), "SDP-VR-01");
        assert_eq!(
            component("a\"b<c>'d&e f/g?h#i%"),
            "a%22b%3Cc%3E%27d%26e%20f%2Fg%3Fh%23i%25"
        );
        assert_eq!(component("café"), "caf%C3%A9");
        assert_eq!(path("req/X\"1.html#a b"), "req/X%221.html#a%20b");
        assert_eq!(path("a//b/#c#d"), "a//b/#c%23d");
        assert_eq!(path(""), "");
        assert_eq!(component("\u{7f}\u{0}é"), "%7F%00%C3%A9");
    }

    #[test]
    fn decodes_what_component_encodes() {
        for s in ["02-handling#2", "a b/c?d%e", "café", "SDP-VR-01"] {
            assert_eq!(decode(&component(s)), s);
        }
        assert!(matches!(decode("100%"), Cow::Borrowed("100%")));
        assert_eq!(decode("%FF"), "\u{FFFD}");
    }

    #[test]
    fn chapter_links_split_at_the_first_hash_and_decode_both_parts() {
        let l = ChapterLink::parse("./02-handling%232.md#triage%20rules#x");
        assert_eq!(l.file, "02-handling#2.md");
        assert_eq!(l.anchor.as_deref(), Some("triage rules#x"));
        let l = ChapterLink::parse("#SDP-VR-01");
        assert_eq!(l.file, "");
        assert_eq!(l.anchor.as_deref(), Some("SDP-VR-01"));
        assert_eq!(ChapterLink::parse("a.md").anchor, None);
    }

    #[test]
    fn external_allow_list() {
        assert_eq!(external("https://x.org/a"), "https://x.org/a");
        assert_eq!(external("mailto:security@x.org"), "mailto:security@x.org");
        assert_eq!(external("java\tscript:alert(1)"), "#");
        assert_eq!(external("data:text/html,x"), "#");
        assert_eq!(external("relative/page.html"), "#");
    }
}
