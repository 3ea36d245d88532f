//! `specbook release`: freezes a checked spec into an immutable `PUBLISH_DIR/<VERSION>/` folder
//! (the files of `specbook build` plus `release.json` and, from the second release on, the
//! changes since the previous release), then updates `versions.json` and the `latest/` copy.
//! The ID ledger, derived from every released catalogue, refuses lost and reused IDs.

use crate::catalogue::Catalogue;
use crate::config::SpecStatus;
use crate::diff::{self, DiffReport, Lens, SideInfo, SideKind};
use crate::meta::ReqStatus;
use crate::output::{self, Files};
use crate::pipeline::Checked;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The list of releases at the root of the publish folder.
pub const VERSIONS_FILE: &str = "versions.json";
/// Release metadata inside each release folder.
pub const RELEASE_FILE: &str = "release.json";
/// The folder holding a copy of the newest release.
pub const LATEST: &str = "latest";
/// Changes since the previous release, as a page.
pub const CHANGES_HTML: &str = "changes.html";
/// Changes since the previous release, as `schema/diff.schema.json` data.
pub const CHANGES_JSON: &str = "changes.json";

/// `release.json`: what a release folder is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "specbook release metadata")]
pub struct ReleaseInfo {
    /// Version, also the folder name.
    pub version: String,
    /// Release date (`YYYY-MM-DD`), from the config or `SOURCE_DATE_EPOCH`.
    pub date: String,
    /// Maturity.
    pub status: SpecStatus,
    /// 1 for the first release, then one more than the newest release before it.
    pub sequence: u32,
    /// The release before it, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub previous: Option<String>,
    /// Spec id.
    pub spec_id: String,
    /// Spec title.
    pub title: String,
    /// Licence of the text.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub licence: Option<String>,
    /// Number of requirements.
    pub requirements: usize,
}

/// An entry of `versions.json` (the shape version switchers such as pydata-sphinx-theme read).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VersionEntry {
    /// Version.
    pub version: String,
    /// Label to show: version and status.
    pub name: String,
    /// Where it is published: `<base_url><version>/`, or `<version>/` relative to `versions.json`.
    pub url: String,
    /// Release date.
    pub date: String,
    /// Maturity.
    pub status: SpecStatus,
    /// Whether it is the newest release (the one `latest/` holds).
    pub preferred: bool,
}

/// `versions.json`: every release, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
#[schemars(title = "specbook versions")]
pub struct Versions(pub Vec<VersionEntry>);

/// The data a release's pages need for their This / Latest / Previous links. Paths are relative
/// to the release's root folder; a page `d` folders deep prefixes them with `../` `d` times.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReleaseContext {
    /// This release.
    pub release: ReleaseInfo,
    /// The newest release's folder: `../latest/`.
    pub latest: String,
    /// The previous release's folder (`../0.1.0/`) and the IDs it published.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub previous: Option<PreviousRelease>,
    /// Every release up to and including this one, newest first (frozen at release time).
    pub versions: Vec<VersionEntry>,
}

/// The release before this one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PreviousRelease {
    /// Its version.
    pub version: String,
    /// Its folder relative to this release's root: `../<version>/`.
    pub path: String,
    /// The requirement IDs it published.
    pub ids: BTreeSet<String>,
}

/// The three links of a requirement page, relative to the release root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RequirementLinks {
    /// This version: `req/<ID>.html`.
    pub this: String,
    /// The newest release: `../latest/req/<ID>.html`.
    pub latest: String,
    /// The previous release, when it had this ID.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub previous: Option<String>,
}

impl ReleaseContext {
    /// The links of requirement `id` whose permanent page is `permalink` (`req/<ID>.html`).
    pub fn requirement_links(&self, id: &str, permalink: &str) -> RequirementLinks {
        RequirementLinks {
            this: permalink.to_string(),
            latest: format!("{}{permalink}", self.latest),
            previous: self
                .previous
                .as_ref()
                .filter(|p| p.ids.contains(id))
                .map(|p| format!("{}{permalink}", p.path)),
        }
    }
}

/// Why a release was not made.
#[derive(Debug)]
pub enum ReleaseError {
    /// The release would be wrong (exit 1): spec errors, an existing release, a version that
    /// disagrees with the config, ID ledger violations.
    Refused(Vec<String>),
    /// Bad arguments or missing inputs (exit 2).
    Usage(String),
    /// Reading or writing failed (exit 2).
    Io(String),
}

impl std::fmt::Display for ReleaseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReleaseError::Refused(reasons) => {
                write!(f, "release refused: {}", reasons.join("; "))
            }
            ReleaseError::Usage(m) | ReleaseError::Io(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ReleaseError {}

fn io(what: &str, path: &Path, e: impl std::fmt::Display) -> ReleaseError {
    ReleaseError::Io(format!("cannot {what} {}: {e}", path.display()))
}

/// Checks a version string is usable as a folder name: letters, digits, `.`, `_`, `+`, `-`,
/// starting with a letter or digit, at most 64 bytes, no `..`, and not `latest`.
pub fn validate_version(version: &str) -> Result<(), ReleaseError> {
    let ok = !version.is_empty()
        && version.len() <= 64
        && version.starts_with(|c: char| c.is_ascii_alphanumeric())
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-'))
        && !version.contains("..")
        && version != LATEST;
    if ok {
        Ok(())
    } else {
        Err(ReleaseError::Usage(format!(
            "{version:?} is not a usable version: use letters, digits, `.`, `_`, `+` and `-` (e.g. 1.0.0), not `latest`"
        )))
    }
}

/// A release already in the publish folder.
#[derive(Clone, Debug)]
pub struct Released {
    /// Its `release.json` (absent for a folder that only holds a catalogue).
    pub info: Option<ReleaseInfo>,
    /// Its folder name.
    pub folder: String,
    /// Its catalogue.
    pub catalogue: Catalogue,
}

/// Every release folder of `publish_dir` (any folder but `latest/` and hidden ones holding a
/// `catalogue.json`), oldest first.
pub fn released(publish_dir: &Path) -> Result<Vec<Released>, ReleaseError> {
    let mut out = Vec::new();
    if !publish_dir.exists() {
        return Ok(out);
    }
    let entries = std::fs::read_dir(publish_dir).map_err(|e| io("list", publish_dir, e))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io("list", publish_dir, e))?;
        let kind = entry.file_type().map_err(|e| io("list", publish_dir, e))?;
        let name = entry.file_name().to_string_lossy().to_string();
        if kind.is_dir() && name != LATEST && !name.starts_with('.') {
            names.push(name);
        }
    }
    names.sort();
    for folder in names {
        let dir = publish_dir.join(&folder);
        let cat_path = dir.join("catalogue.json");
        if !cat_path.is_file() {
            continue;
        }
        let catalogue =
            diff::side::read_catalogue(&cat_path).map_err(|e| ReleaseError::Io(e.to_string()))?;
        let info_path = dir.join(RELEASE_FILE);
        let info = if info_path.is_file() {
            let bytes = std::fs::read(&info_path).map_err(|e| io("read", &info_path, e))?;
            Some(
                serde_json::from_slice::<ReleaseInfo>(&bytes)
                    .map_err(|e| io("parse", &info_path, e))?,
            )
        } else {
            None
        };
        out.push(Released {
            info,
            folder,
            catalogue,
        });
    }
    out.sort_by_key(|r| (r.info.as_ref().map_or(0, |i| i.sequence), r.folder.clone()));
    Ok(out)
}

/// What the ledger knows about one ID.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LedgerEntry {
    /// First release that published it.
    pub first: Option<String>,
    /// Release that first published it withdrawn.
    pub withdrawn_in: Option<String>,
    /// Release in which another requirement first declared it replaced, and that requirement.
    pub replaced_in: Option<(String, String)>,
}

/// Every ID the released catalogues published or retired.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    /// By ID.
    pub ids: BTreeMap<String, LedgerEntry>,
}

impl Ledger {
    /// Builds the ledger from releases, oldest first.
    pub fn from_releases(releases: &[Released]) -> Self {
        let mut ids: BTreeMap<String, LedgerEntry> = BTreeMap::new();
        for r in releases {
            let version = r
                .info
                .as_ref()
                .map_or_else(|| r.folder.clone(), |i| i.version.clone());
            for req in &r.catalogue.requirements {
                let e = ids.entry(req.id.clone()).or_default();
                e.first.get_or_insert_with(|| version.clone());
                if req.status == ReqStatus::Withdrawn {
                    e.withdrawn_in.get_or_insert_with(|| version.clone());
                }
                for old in &req.replaces {
                    ids.entry(old.clone())
                        .or_default()
                        .replaced_in
                        .get_or_insert_with(|| (version.clone(), req.id.clone()));
                }
            }
        }
        Self { ids }
    }

    /// The violations `catalogue` would commit: a published ID that is gone (neither kept nor
    /// declared replaced), and a retired ID (withdrawn or replaced) in use again.
    pub fn violations(&self, catalogue: &Catalogue) -> Vec<String> {
        let present: BTreeMap<&str, ReqStatus> = catalogue
            .requirements
            .iter()
            .map(|r| (r.id.as_str(), r.status))
            .collect();
        let replaced: BTreeSet<&str> = catalogue
            .requirements
            .iter()
            .flat_map(|r| r.replaces.iter().map(String::as_str))
            .collect();
        let mut out = Vec::new();
        for (id, e) in &self.ids {
            let status = present.get(id.as_str());
            if let (Some(first), None) = (&e.first, status)
                && !replaced.contains(id.as_str())
            {
                out.push(format!(
                    "requirement ID `{id}` (published in {first}) is missing: keep it with `status = \"withdrawn\"`, or declare `replaces = \"{id}\"` on the requirement that took its place"
                ));
            }
            if status.is_some_and(|s| *s != ReqStatus::Withdrawn) {
                if let Some(v) = &e.withdrawn_in {
                    out.push(format!(
                        "requirement ID `{id}` was withdrawn in {v} and may never be reused: give the new requirement a new ID"
                    ));
                } else if let Some((v, by)) = &e.replaced_in {
                    out.push(format!(
                        "requirement ID `{id}` was retired in {v} (replaced by `{by}`) and may never be reused: give the new requirement a new ID"
                    ));
                }
            }
        }
        out
    }
}

/// What [`release`] did.
#[derive(Debug)]
pub struct Outcome {
    /// The new release folder.
    pub folder: PathBuf,
    /// Its metadata.
    pub info: ReleaseInfo,
    /// Files written into it.
    pub files: usize,
    /// The changes since the previous release.
    pub changes: Option<DiffReport>,
    /// What the release's pages need for their This / Latest / Previous links.
    pub context: ReleaseContext,
}

/// Options of a release.
#[derive(Clone, Debug)]
pub struct Options<'a> {
    /// Version, checked against the config.
    pub version: &'a str,
    /// Maturity (default: the config's `status`).
    pub status: Option<SpecStatus>,
    /// The publish folder holding every release.
    pub publish_dir: &'a Path,
}

/// Makes a release of `checked` (which must have no errors; print its diagnostics first).
pub fn release(mut checked: Checked, opts: &Options<'_>) -> Result<Outcome, ReleaseError> {
    let version = opts.version;
    validate_version(version)?;
    let mut refusals = Vec::new();
    let errors = checked.catalogue.diagnostics.errors;
    if errors > 0 {
        refusals.push(format!(
            "the spec has {errors} error{}",
            if errors == 1 { "" } else { "s" }
        ));
    }
    let configured = &checked.catalogue.spec.version;
    if configured != version {
        refusals.push(format!(
            "specbook.toml says version = \"{configured}\" but the release is {version}: set the version in specbook.toml so the catalogue and the pages say the same"
        ));
    }
    let Some(date) = checked.catalogue.spec.date.clone() else {
        return Err(ReleaseError::Usage(
            "a release needs a date: set `date = \"YYYY-MM-DD\"` in specbook.toml or the SOURCE_DATE_EPOCH environment variable".into(),
        ));
    };
    // The publish folder as the file system finds it (a `..` after a missing folder would
    // otherwise read one folder and write another).
    let publish_dir = &crate::output::resolve(opts.publish_dir)
        .map_err(|e| ReleaseError::Usage(e.to_string()))?;
    let folder = publish_dir.join(version);
    if folder.exists() {
        refusals.push(format!(
            "{} already exists: releases are never overwritten",
            folder.display()
        ));
    }
    // `latest/` is replaced last; a folder there that an earlier release did not write would
    // stop the release half-way, so it is refused before anything is written.
    let latest = publish_dir.join(LATEST);
    if let Err(e) = crate::output::replaceable(&latest) {
        refusals.push(e.to_string());
    }
    let releases = released(publish_dir)?;
    refusals.extend(Ledger::from_releases(&releases).violations(&checked.catalogue));
    if !refusals.is_empty() {
        return Err(ReleaseError::Refused(refusals));
    }

    if let Some(status) = opts.status {
        checked.catalogue.spec.status = status;
    }
    let with_info: Vec<&ReleaseInfo> = releases.iter().filter_map(|r| r.info.as_ref()).collect();
    let previous = releases.iter().rev().find(|r| r.info.is_some());
    let spec = &checked.catalogue.spec;
    let info = ReleaseInfo {
        version: version.to_string(),
        date,
        status: spec.status,
        sequence: with_info.iter().map(|i| i.sequence).max().unwrap_or(0) + 1,
        previous: previous.and_then(|p| p.info.as_ref().map(|i| i.version.clone())),
        spec_id: spec.id.clone(),
        title: spec.title.clone(),
        licence: spec.licence.clone(),
        requirements: checked.catalogue.requirements.len(),
    };
    let mut all: Vec<ReleaseInfo> = with_info.into_iter().cloned().collect();
    all.push(info.clone());
    let versions = versions(&all, spec.base_url.as_deref());
    // What the pages need for This / Latest / Previous links.
    let context = context(&info, previous, &versions);
    // A frozen version is published at `<base_url><version>/` (its `versions.json` entry): its
    // pages' permanent URLs and canonical links, its catalogue's `base_url` and its schemas'
    // `$id`s name that address, which the publish folder serves, not the unversioned one.
    if checked.catalogue.spec.base_url.is_some() {
        checked.catalogue.spec.base_url = versions
            .0
            .iter()
            .find(|v| v.version == version)
            .map(|v| v.url.clone());
    }

    let mut files: Files = crate::publish::release_files(&checked, Some(&context))
        .map_err(|e| ReleaseError::Io(format!("cannot produce the release's files: {e}")))?;
    files.remove("SHA256SUMS");
    files.insert(RELEASE_FILE.into(), json(&info));
    let changes = previous.map(|prev| {
        let prev_version = prev.info.as_ref().map_or(&prev.folder, |i| &i.version);
        DiffReport::new(
            SideInfo::of(prev_version.clone(), SideKind::Catalogue, &prev.catalogue),
            SideInfo::of(version, SideKind::Folder, &checked.catalogue),
            diff::compare(&prev.catalogue, &checked.catalogue),
            Lens::default(),
        )
    });
    if let (Some(report), Some(prev)) = (&changes, previous) {
        files.insert(CHANGES_JSON.into(), report.to_json().into_bytes());
        let links = diff::html::Links {
            old: Some(format!("../{}/", prev.folder)),
            new: Some(String::new()),
        };
        files.insert(
            CHANGES_HTML.into(),
            diff::html::render(report, &links).into_bytes(),
        );
    }
    output::add_checksums(&mut files);

    output::write_atomically(&folder, &files).map_err(|e| io("write", &folder, e))?;
    // Only once the release folder is complete: the list of versions, then `latest/`.
    write_file_atomically(&publish_dir.join(VERSIONS_FILE), &json(&versions))?;
    output::write_atomically(&latest, &files).map_err(|e| io("write", &latest, e))?;
    Ok(Outcome {
        context,
        folder,
        info,
        files: files.len(),
        changes,
    })
}

/// The context of a new release's pages, from the releases before it (see [`ReleaseContext`]).
pub fn context(
    info: &ReleaseInfo,
    previous: Option<&Released>,
    versions: &Versions,
) -> ReleaseContext {
    ReleaseContext {
        release: info.clone(),
        latest: format!("../{LATEST}/"),
        previous: previous.map(|p| PreviousRelease {
            version: p
                .info
                .as_ref()
                .map_or_else(|| p.folder.clone(), |i| i.version.clone()),
            path: format!("../{}/", p.folder),
            ids: p
                .catalogue
                .requirements
                .iter()
                .map(|r| r.id.clone())
                .collect(),
        }),
        versions: versions.0.clone(),
    }
}

/// `versions.json` for `releases` (any order): newest (highest sequence) first and preferred.
pub fn versions(releases: &[ReleaseInfo], base_url: Option<&str>) -> Versions {
    let mut list: Vec<&ReleaseInfo> = releases.iter().collect();
    list.sort_by(|a, b| b.sequence.cmp(&a.sequence).then(b.version.cmp(&a.version)));
    let base = base_url.map(|b| {
        if b.ends_with('/') {
            b.to_string()
        } else {
            format!("{b}/")
        }
    });
    Versions(
        list.iter()
            .enumerate()
            .map(|(i, r)| {
                let status = serde_json::to_value(r.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                VersionEntry {
                    version: r.version.clone(),
                    name: if i == 0 {
                        format!("{} ({status}, latest)", r.version)
                    } else {
                        format!("{} ({status})", r.version)
                    },
                    url: format!("{}{}/", base.as_deref().unwrap_or(""), r.version),
                    date: r.date.clone(),
                    status: r.status,
                    preferred: i == 0,
                }
            })
            .collect(),
    )
}

/// Writes one file through a temporary file in the same folder, renamed into place.
fn write_file_atomically(path: &Path, bytes: &[u8]) -> Result<(), ReleaseError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| io("create", dir, e))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".specbook-");
    // A temporary file is private (0600); the published file is read by web servers.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| io("create a temporary file in", dir, e))?;
    crate::output::injected_failure(path)
        .and_then(|()| tmp.write_all(bytes))
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| io("write", tmp.path(), e))?;
    tmp.persist(path)
        .map_err(|e| io("replace", path, e.error))?;
    Ok(())
}

fn json<T: Serialize>(value: &T) -> Vec<u8> {
    crate::schema::to_pretty(&serde_json::to_value(value).unwrap_or(serde_json::Value::Null))
        .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_folder_names() {
        for ok in ["0.1.0", "1.0.0-rc.1", "2026-11-22", "v1+build.5"] {
            assert!(validate_version(ok).is_ok(), "{ok}");
        }
        for bad in ["", "latest", "../x", "a/b", ".hidden", "-x", "1..2", "a b"] {
            assert!(validate_version(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn versions_list_newest_first() {
        let info = |v: &str, seq| ReleaseInfo {
            version: v.into(),
            date: "2026-01-01".into(),
            status: SpecStatus::Draft,
            sequence: seq,
            previous: None,
            spec_id: "s".into(),
            title: "S".into(),
            licence: None,
            requirements: 0,
        };
        let v = versions(
            &[info("0.1.0", 1), info("0.2.0", 2)],
            Some("https://x.org/s"),
        );
        assert_eq!(v.0[0].version, "0.2.0");
        assert!(v.0[0].preferred && !v.0[1].preferred);
        assert_eq!(v.0[1].url, "https://x.org/s/0.1.0/");
    }
}
