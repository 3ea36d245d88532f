//! `specbook check` and `specbook build`.

use crate::DiagArgs;
use crate::report;
use specbook_core::pipeline::{self, Env};
use std::path::Path;
use std::process::ExitCode;

/// Runs `check`.
pub(crate) fn check(
    dir: &Path,
    args: &DiagArgs,
    env: &Env,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let checked = pipeline::check(dir, env)?;
    report::print(&checked, args);
    Ok(if checked.failed(args.deny_warnings) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Runs `build`: check, then write the output atomically unless the check failed.
pub(crate) fn build(
    dir: &Path,
    out: &Path,
    args: &DiagArgs,
    env: &Env,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let checked = pipeline::check(dir, env)?;
    report::print(&checked, args);
    if checked.failed(args.deny_warnings) {
        eprintln!("build failed: {} left unchanged", out.display());
        return Ok(ExitCode::from(1));
    }
    let files = match specbook_core::publish::files(&checked) {
        Ok(files) => files,
        Err(specbook_core::publish::PublishError::Site(failed)) => {
            report::print_diagnostics(
                &failed.diagnostics,
                &failed.sources,
                &report::root_prefix(&checked),
                args,
            );
            eprintln!("build failed: {} left unchanged", out.display());
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    specbook_core::output::write_atomically(out, &files)?;
    eprintln!("wrote {} files to {}", files.len(), out.display());
    Ok(ExitCode::SUCCESS)
}
