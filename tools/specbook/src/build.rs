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
    // Diagnostics only: no HTML and no content hashes, which only the outputs need.
    let checked = pipeline::check_with(dir, env, pipeline::Detail::Diagnose)?;
    // What the site would refuse before rendering (templates, page names) is a problem of the
    // sources too: a spec that checks clean must build.
    let failed = match specbook_core::render::preflight(&checked) {
        Ok(()) => {
            report::print(&checked, args);
            checked.failed(args.deny_warnings)
        }
        Err(site) => {
            let mut all = checked.diagnostics.clone();
            all.extend(site.diagnostics);
            specbook_core::diag::sort(&mut all);
            report::print_diagnostics(&all, &site.sources, &report::root_prefix(&checked), args);
            true
        }
    };
    let code = if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    leak_at_exit(checked);
    Ok(code)
}

/// Hands a large value to the operating system instead of freeing it piece by piece: the
/// process exits right after, and dropping the model of a 10,000-requirement spec costs more
/// than a tenth of `check`. Only for values the command is finished with.
fn leak_at_exit<T>(value: T) {
    std::mem::forget(value);
}

/// Runs `build`: check, then write the output atomically unless the check failed.
pub(crate) fn build(
    dir: &Path,
    out: &Path,
    args: &DiagArgs,
    env: &Env,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    specbook_core::output::check_output_folder(out, dir)?;
    let checked = pipeline::check(dir, env)?;
    report::print(&checked, args);
    if checked.failed(args.deny_warnings) {
        eprintln!("build failed: {} left unchanged", out.display());
        return Ok(ExitCode::from(1));
    }
    // Pages are written as they are rendered, into a folder swapped in only on success.
    let staging = specbook_core::output::Staging::begin(out)?;
    match specbook_core::publish::publish(&checked, &staging) {
        Ok(()) => {}
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
    }
    let written = staging.commit()?;
    eprintln!("wrote {written} files to {}", out.display());
    leak_at_exit(checked);
    Ok(ExitCode::SUCCESS)
}
