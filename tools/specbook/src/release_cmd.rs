//! `specbook release VERSION [DIR]`: checks the spec, prints its diagnostics, and freezes it into
//! `PUBLISH_DIR/<VERSION>/` with the library's release stage; maps refusals to exit 1.

use crate::{DiagArgs, DiagFormat, report};
use clap::ValueEnum;
use specbook_core::config::SpecStatus;
use specbook_core::pipeline::{self, Env};
use specbook_core::release::{self, Options, ReleaseError};
use std::path::PathBuf;
use std::process::ExitCode;

/// Maturity of a release.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub(crate) enum StatusArg {
    /// Work in progress.
    Draft,
    /// Feature-complete, under review.
    Candidate,
    /// Approved.
    Final,
}

/// Arguments of `specbook release`.
#[derive(clap::Args, Debug)]
pub(crate) struct ReleaseArgs {
    /// The version to release; must equal `version` in specbook.toml.
    version: String,
    /// The spec folder (holding specbook.toml).
    #[arg(default_value = "spec")]
    dir: PathBuf,
    /// The publish folder holding every release, versions.json and latest/.
    #[arg(long, short, default_value = "publish")]
    out: PathBuf,
    /// Maturity of the release (default: `status` in specbook.toml).
    #[arg(long, value_enum)]
    status: Option<StatusArg>,
}

/// Runs `release`.
pub(crate) fn run(args: &ReleaseArgs, env: &Env) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let checked = pipeline::check(&args.dir, env)?;
    report::print(
        &checked,
        &DiagArgs {
            format: DiagFormat::Human,
            deny_warnings: false,
        },
    );
    let opts = Options {
        version: &args.version,
        status: args.status.map(|s| match s {
            StatusArg::Draft => SpecStatus::Draft,
            StatusArg::Candidate => SpecStatus::Candidate,
            StatusArg::Final => SpecStatus::Final,
        }),
        publish_dir: &args.out,
    };
    match release::release(checked, &opts) {
        Ok(outcome) => {
            eprintln!(
                "released {} ({}, {}) with {} files into {}",
                outcome.info.version,
                serde_json::to_value(outcome.info.status)?
                    .as_str()
                    .unwrap_or_default(),
                outcome.info.date,
                outcome.files,
                outcome.folder.display()
            );
            if let Some(changes) = &outcome.changes {
                eprintln!(
                    "changes since {}: {}",
                    changes.old.version,
                    changes.summary.sentence()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(ReleaseError::Refused(reasons)) => {
            for r in &reasons {
                eprintln!("error: {r}");
            }
            eprintln!(
                "release refused: {} problem{}; nothing was written",
                reasons.len(),
                if reasons.len() == 1 { "" } else { "s" }
            );
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}
