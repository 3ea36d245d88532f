//! specbook-core: the library behind the `specbook` command. Markdown specifications with
//! requirement IDs go through pure stages — load → parse → registries → link → assemble →
//! (render, write) — each returning its output plus diagnostics. See ARCHITECTURE.md.

pub mod assemble;
pub mod bcp14;
pub mod catalogue;
pub mod config;
pub mod coverage;
pub mod coverage_render;
pub mod diag;
pub mod diag_github;
pub mod diag_render;
pub mod diag_sarif;
pub mod diff;
pub mod html;
pub mod ids;
pub mod link;
pub mod load;
pub mod meta;
pub mod model;
pub mod oscal;
pub mod output;
pub mod parse;
pub mod pipeline;
pub mod publish;
pub mod registries;
pub mod registry;
pub mod release;
pub mod render;
pub mod req_block;
pub mod scaffold;
pub mod schema;
pub mod source;
pub mod toml_json;
pub(crate) mod urls;
