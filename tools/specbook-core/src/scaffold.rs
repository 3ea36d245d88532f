//! `specbook init`: the files of a new spec folder (config, one chapter with one requirement, a
//! policy registry stub and a framework stub), as text. They check with no error and no warning;
//! writing them is the caller's job.

/// The title used when none is given.
pub const DEFAULT_TITLE: &str = "Example Specification";

/// The files of a new spec titled `title`: (path relative to the spec folder, text), sorted.
pub fn files(title: &str) -> Vec<(&'static str, String)> {
    let title_toml = toml::Value::String(title.to_string()).to_string();
    vec![
        ("01-introduction.md", CHAPTER.to_string()),
        ("frameworks/example.toml", FRAMEWORK.to_string()),
        ("policies/example.toml", POLICY.to_string()),
        ("specbook.toml", CONFIG.replace("{title}", &title_toml)),
    ]
}

const CONFIG: &str = r#"# The configuration of this specification. Only `title` and `version` are required; the
# commented keys below are optional and show their defaults or an example.
title = {title}
version = "0.1.0"

# id = "example"                         # short stable id; default: a slug of the title
# status = "draft"                       # draft, candidate or final
# date = "2026-01-31"                    # YYYY-MM-DD; default: SOURCE_DATE_EPOCH, else none
# editors = ["A. Editor"]
# licence = "CC-BY-4.0"
# base_url = "https://example.org/spec/" # where the site is published, ending in `/`
# abstract = "One paragraph saying what the specification is for."
# id_pattern = "^EX-[A-Z]{2,4}-[0-9]{2}$" # every requirement ID must match it
# chapters = ["01-introduction.md"]      # reading order; default: every *.md file, sorted
# html = "reject"                        # raw HTML in Markdown: reject or sanitize
#
# [extra_fields]                         # extra keys allowed in `req` blocks, with a JSON Schema
# owner = { type = "string" }
#
# [limits]
# max_file_bytes = 8388608
"#;

const CHAPTER: &str = r#"# Introduction

This chapter shows the source format. A requirement is a heading with an ID in braces; the
`req` block under it holds its metadata, the paragraphs after it are its statement, and a
paragraph starting with `Rationale:` begins the informative explanation.

The key words "MUST", "MUST NOT", "SHOULD", "SHOULD NOT" and "MAY" in this document are to be
interpreted as described in BCP 14 ([RFC 2119](https://www.rfc-editor.org/rfc/rfc2119) and
[RFC 8174](https://www.rfc-editor.org/rfc/rfc8174)) when, and only when, they appear in all
capitals.

## Reporting vulnerabilities

### Private reporting channel {#EX-VR-01}

```req
sources = ["example/security-policy"]
cra = ["EX-CVD"]
since = "0.1.0"
```

A project MUST offer at least one documented way to report a suspected vulnerability privately.

Rationale: reporters who cannot reach a project privately often publish their findings
instead, and users are then exposed before a fix exists.
"#;

const POLICY: &str = r#"# An organisation and the policy documents requirements are drawn from. The file stem is
# its id; requirements cite a document as "example/security-policy".
id = "example"
name = "Example Foundation"
kind = "foundation"
homepage = "https://example.org/"
security_contact = "https://example.org/security/"
cna = { status = "unknown" }

[[documents]]
id = "security-policy"
title = "Security policy"
url = "https://example.org/security/"
covers = ["vulnerability-reporting"]
summary = "Explains how to report a suspected vulnerability privately."
"#;

const FRAMEWORK: &str = r#"# A framework whose items requirements map to with `cra = ["…"]`. Item IDs are unique across
# all frameworks; an item that no requirement maps needs `scope = "out"` and a `reason`.
id = "example"
title = "Example framework"
url = "https://example.org/framework/"

[[items]]
id = "EX-CVD"
ref = "Section 1"
kind = "requirement"
summary = "A coordinated vulnerability disclosure policy exists and is applied."
scope = "in"
"#;

#[cfg(test)]
mod tests {
    #[test]
    fn titles_are_quoted_as_toml() {
        let files = super::files("A \"quoted\" title");
        let config = &files
            .iter()
            .find(|(p, _)| *p == "specbook.toml")
            .expect("config")
            .1;
        let value: toml::Value = toml::from_str(config).expect("valid TOML");
        assert_eq!(value["title"].as_str(), Some("A \"quoted\" title"));
    }
}
