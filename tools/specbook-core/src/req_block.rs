//! The fast path for `req` blocks: [`ReqMeta`] read straight from the events of the `toml_parser`
//! crate (the parser under the `toml` crate), without building a TOML table, JSON or spans.
//!
//! It takes only blocks in the shape nearly every block has: top-level keys that [`ReqMeta`]
//! knows, each once, holding strings, arrays of strings and `{ id, relationship }` tables. For
//! anything else (a syntax error, another key or type, a table header, a dotted key, a
//! duplicate) it returns `None`, and the block takes the path through `toml_json` and the
//! schema, which says what is wrong. So this module never reports; it only declines.

use crate::meta::{MappingSource, OneOrMany, Relationship, ReqMeta, ReqStatus};
use serde::Deserialize;
use serde::de::IntoDeserializer;
use serde::de::value::{Error as ValueError, StrDeserializer};
use std::borrow::Cow;
use toml_parser::parser::{Event, EventKind, RecursionGuard, ValidateWhitespace};
use toml_parser::{ParseError, Raw, Source};

/// Nesting the parser may enter: an array of inline tables is two levels. Deeper input is
/// refused by the guard (and then by this module) instead of being parsed.
const MAX_DEPTH: u32 = 3;

/// `text` as [`ReqMeta`], or `None` when it is not in the common shape (see the module
/// documentation).
pub fn parse(text: &str) -> Option<ReqMeta> {
    let source = Source::new(text);
    let tokens = source.lex().into_vec();
    let mut events: Vec<Event> = Vec::with_capacity(tokens.len());
    let mut error: Option<ParseError> = None;
    {
        let mut guard = RecursionGuard::new(&mut events, MAX_DEPTH);
        let mut receiver = ValidateWhitespace::new(&mut guard, source);
        toml_parser::parser::parse_document(&tokens, &mut receiver, &mut error);
    }
    if error.is_some() {
        return None;
    }
    let mut reader = Reader {
        source,
        events: events
            .iter()
            .filter(|e| {
                !matches!(
                    e.kind(),
                    EventKind::Whitespace | EventKind::Comment | EventKind::Newline
                )
            })
            .peekable(),
    };
    reader.document()
}

/// A cursor over the events that carry meaning (whitespace, comments and newlines were
/// validated by [`ValidateWhitespace`] and are skipped).
struct Reader<'s, I: Iterator<Item = &'s Event>> {
    source: Source<'s>,
    events: std::iter::Peekable<I>,
}

impl<'s, I: Iterator<Item = &'s Event>> Reader<'s, I> {
    fn document(&mut self) -> Option<ReqMeta> {
        let mut meta = ReqMeta::default();
        let mut seen = [false; 6];
        while let Some(event) = self.events.next() {
            if event.kind() != EventKind::SimpleKey {
                return None;
            }
            let key = self.key(event)?;
            let slot = crate::meta::KNOWN_KEYS.iter().position(|k| *k == key)?;
            if std::mem::replace(&mut seen[slot], true) {
                return None;
            }
            self.expect(EventKind::KeyValSep)?;
            match crate::meta::KNOWN_KEYS[slot] {
                "status" => meta.status = enum_value::<ReqStatus>(&self.string()?)?,
                "since" => meta.since = Some(self.string()?.into_owned()),
                "replaces" => {
                    meta.replaces = match self.peek_kind()? {
                        EventKind::ArrayOpen => OneOrMany::Many(self.strings()?),
                        _ => OneOrMany::One(self.string()?.into_owned()),
                    }
                }
                "related" => meta.related = self.strings()?,
                "sources" => meta.sources = self.mappings()?,
                "cra" => meta.cra = self.mappings()?,
                _ => return None,
            }
        }
        Some(meta)
    }

    fn peek_kind(&mut self) -> Option<EventKind> {
        self.events.peek().map(|e| e.kind())
    }

    fn expect(&mut self, kind: EventKind) -> Option<&'s Event> {
        self.events.next().filter(|e| e.kind() == kind)
    }

    fn raw(&self, event: &Event) -> Option<Raw<'s>> {
        let span = event.span();
        let text = self.source.input().get(span.start()..span.end())?;
        Some(Raw::new_unchecked(text, event.encoding(), span))
    }

    /// A simple key, decoded; a dotted key is declined.
    fn key(&mut self, event: &Event) -> Option<Cow<'s, str>> {
        let raw = self.raw(event)?;
        let mut decoded = Cow::Borrowed("");
        let mut error: Option<ParseError> = None;
        raw.decode_key(&mut decoded, &mut error);
        (error.is_none() && self.peek_kind()? != EventKind::KeySep).then_some(decoded)
    }

    /// The next value, which must be a string.
    fn string(&mut self) -> Option<Cow<'s, str>> {
        let event = self.expect(EventKind::Scalar)?;
        let raw = self.raw(event)?;
        let mut decoded = Cow::Borrowed("");
        let mut error: Option<ParseError> = None;
        let kind = raw.decode_scalar(&mut decoded, &mut error);
        (error.is_none() && kind == toml_parser::decoder::ScalarKind::String).then_some(decoded)
    }

    /// The next value, which must be an array of strings.
    fn strings(&mut self) -> Option<Vec<String>> {
        self.array(|r| r.string().map(Cow::into_owned))
    }

    /// The next value, which must be an array of ids and `{ id, relationship }` tables.
    fn mappings(&mut self) -> Option<Vec<MappingSource>> {
        self.array(|r| match r.peek_kind()? {
            EventKind::InlineTableOpen => r.mapping_table(),
            _ => r.string().map(|s| MappingSource::Id(s.into_owned())),
        })
    }

    /// An array whose items `item` reads; separators and a trailing comma are the parser's
    /// business (it reported any misplaced one as an error).
    fn array<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.expect(EventKind::ArrayOpen)?;
        let mut items = Vec::new();
        loop {
            match self.peek_kind()? {
                EventKind::ArrayClose => {
                    self.events.next();
                    return Some(items);
                }
                EventKind::ValueSep => {
                    self.events.next();
                }
                _ => items.push(item(self)?),
            }
        }
    }

    /// `{ id = "…", relationship = "…" }`, `relationship` optional, no other key.
    fn mapping_table(&mut self) -> Option<MappingSource> {
        self.expect(EventKind::InlineTableOpen)?;
        let mut id: Option<String> = None;
        let mut relationship: Option<Relationship> = None;
        loop {
            let event = self.events.next()?;
            match event.kind() {
                EventKind::InlineTableClose => break,
                EventKind::ValueSep => {}
                EventKind::SimpleKey => {
                    let key = self.key(event)?;
                    self.expect(EventKind::KeyValSep)?;
                    match &*key {
                        "id" if id.is_none() => id = Some(self.string()?.into_owned()),
                        "relationship" if relationship.is_none() => {
                            relationship = Some(enum_value(&self.string()?)?);
                        }
                        _ => return None,
                    }
                }
                _ => return None,
            }
        }
        Some(MappingSource::Full {
            id: id?,
            relationship: relationship.unwrap_or_default(),
        })
    }
}

/// A unit enum from its serde name (`"withdrawn"`, `"subset-of"`).
fn enum_value<'de, T: Deserialize<'de>>(name: &'de str) -> Option<T> {
    let d: StrDeserializer<'de, ValueError> = name.into_deserializer();
    T::deserialize(d).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta;
    use crate::source::FileId;
    use crate::toml_json;

    /// Blocks the fast path must take, with the [`ReqMeta`] the schema path gives them.
    const TAKEN: &[&str] = &[
        "",
        "sources = [\"a/b\", \"a/b#c\"]\ncra = [\"C-1\"]\nrelated = [\"R-2\"]",
        "status = \"withdrawn\"\nreplaces = \"X-1\"",
        "status = \"draft\"\nsince = \"1.0\"\nreplaces = [\"X-1\", \"X-2\"]",
        "cra = [{ id = \"C-1\", relationship = \"subset-of\" }, \"C-2\"]",
        "cra = [{ id = \"C-1\" }]",
        "cra = [{ relationship = \"equivalent-to\", id = \"C-1\" },]",
        "replaces = []",
        "# a comment\nsources = [ # one\n  \"a/b\",\n  'a/c', # two\n]\r\n",
        "\"sources\" = [\"a/b\"]\n'cra' = [\"\\u0043-1\"]",
        "since = \"\"\"\n1.0\"\"\"",
        "since = '''1.0'''",
        "related = [\"R\\t1\"]",
    ];

    /// Blocks it must decline, valid TOML or not.
    const DECLINED: &[&str] = &[
        "cra = [{ id = \"C-1\", other = 1 }]",
        "cra = [{ relationship = \"subset-of\" }]",
        "cra = [{}]",
        "cra = [{ id = \"C-1\", id = \"C-2\" }]",
        "status = \"bogus\"",
        "cra = [{ id = \"C-1\", relationship = \"near\" }]",
        "since = 1",
        "since = 1979-05-27",
        "sources = \"a/b\"",
        "related = [1]",
        "extra = 1",
        "[sources]\nx = 1",
        "[[sources]]\nid = \"x\"",
        "status = { draft = {} }",
        "status = { withdrawn = [] }",
        "[status]\ndraft = {}",
        "cra = [[\"C-1\"]]",
        "sources.x = \"a\"",
        "related = [\"R-1\"]\nrelated = [\"R-2\"]",
        "related = [\"R-1\"",
        "related = [\"R-1\" \"R-2\"]",
        "related = [\"bad \\q escape\"]",
        "# bell \u{7}\nrelated = []",
        "related = [\"R-1\"] trailing",
        "= [\"a\"]",
        "related = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    ];

    /// Whatever the fast path accepts, the schema path accepts with no diagnostic and reads the
    /// same way: the fast path skips the schema, so it may never be more lenient.
    #[test]
    fn agrees_with_the_schema_path() {
        let validator = toml_json::compile(&meta::base_schema()).expect("schema compiles");
        for text in TAKEN {
            let fast = parse(text).unwrap_or_else(|| panic!("{text:?} declined"));
            let slow = toml_json::parse(text).expect("TOML");
            let (m, extra, d) = meta::decode(&slow, &validator, FileId(0), 0);
            assert!(d.is_empty() && extra.is_empty(), "{text:?}: {d:?}");
            assert_eq!(fast, m, "{text:?}");
        }
        for text in DECLINED {
            assert_eq!(parse(text), None, "{text:?} taken");
        }
    }

    #[test]
    fn reads_every_key() {
        let m = parse(
            "status = \"draft\"\nsince = \"1.2\"\nreplaces = \"OLD-1\"\nrelated = [\"R-1\"]\n\
             sources = [\"a/b#s\"]\ncra = [{ id = \"C-1\", relationship = \"superset-of\" }]",
        )
        .expect("taken");
        assert_eq!(m.status, ReqStatus::Draft);
        assert_eq!(m.since.as_deref(), Some("1.2"));
        assert_eq!(m.replaces, OneOrMany::One("OLD-1".into()));
        assert_eq!(m.related, ["R-1"]);
        assert_eq!(m.sources, [MappingSource::Id("a/b#s".into())]);
        assert_eq!(
            m.cra,
            [MappingSource::Full {
                id: "C-1".into(),
                relationship: Relationship::SupersetOf
            }]
        );
    }
}
