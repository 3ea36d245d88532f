//! URLs in the site: percent-encoding of page paths and fragments built from IDs, slugs and
//! organisation ids, and the scheme allow-list for external links taken from the registries.

use crate::parse::link_scheme;

/// Percent-encodes everything but RFC 3986 unreserved characters, so no ID, slug or file
/// name can end a path segment, start a query or break out of an attribute.
pub(crate) fn component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_component(&mut out, s);
    out
}

/// [`component`], appended to `out`.
pub(crate) fn push_component(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
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

/// [`path`], appended to `out`.
pub(crate) fn push_path(out: &mut String, p: &str) {
    let (path, fragment) = match p.split_once('#') {
        Some((a, f)) => (a, Some(f)),
        None => (p, None),
    };
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        push_component(out, segment);
    }
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
    fn external_allow_list() {
        assert_eq!(external("https://x.org/a"), "https://x.org/a");
        assert_eq!(external("mailto:security@x.org"), "mailto:security@x.org");
        assert_eq!(external("java\tscript:alert(1)"), "#");
        assert_eq!(external("data:text/html,x"), "#");
        assert_eq!(external("relative/page.html"), "#");
    }
}
