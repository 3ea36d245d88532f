//! `specbook`: the thin command-line front end. Parses arguments, runs the library pipeline,
//! prints diagnostics, and maps the outcome to an exit code (0 clean, 1 spec errors, 2 usage or I/O).

mod build;
mod diff_cmd;
mod ids;
mod init;
mod release_cmd;
mod report;
mod serve;

use clap::{Parser, Subcommand, ValueEnum};

/// jemalloc instead of the system allocator: with glibc, the worker threads grow their heaps a
/// page at a time (8,266 `mprotect` calls in one `check` of 10,000 requirements), and with
/// jemalloc `check`, `diff` and `build` ran about a tenth faster (BENCHMARKS.md). Its options
/// are compiled in from `.cargo/config.toml`, so they apply to binaries built in this
/// repository (the README's command, `cargo install --path tools/specbook`); a build started
/// elsewhere gets jemalloc's defaults. jemalloc does not build for MSVC.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::path::PathBuf;
use std::process::ExitCode;

/// Write, check and publish specifications with machine-readable requirement IDs.
#[derive(Parser, Debug)]
#[command(name = "specbook", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub(crate) enum DiagFormat {
    /// For people: file:line:col, the source line, the span marked, a hint.
    Human,
    /// One JSON document on stdout (schema/diagnostics.schema.json).
    Json,
    /// SARIF 2.1.0 on stdout, for code-scanning uploads.
    Sarif,
    /// GitHub Actions annotations (`::error file=…,line=…::…`) on stdout.
    Github,
}

/// Flags shared by commands that report diagnostics.
#[derive(clap::Args, Debug)]
pub(crate) struct DiagArgs {
    /// Diagnostic output format.
    #[arg(long, value_enum, default_value_t = DiagFormat::Human)]
    pub(crate) format: DiagFormat,
    /// Treat warnings as errors (exit 1 when any warning is reported).
    #[arg(long)]
    pub(crate) deny_warnings: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check a spec folder and report every problem.
    Check {
        /// The spec folder (holding specbook.toml).
        #[arg(default_value = "spec")]
        dir: PathBuf,
        #[command(flatten)]
        diag: DiagArgs,
    },
    /// Check a spec and write its catalogue, schemas and checksums into the output folder.
    Build {
        /// The spec folder (holding specbook.toml).
        #[arg(default_value = "spec")]
        dir: PathBuf,
        /// Output folder; replaced as a whole, and only when the build succeeds.
        #[arg(long, short, default_value = "build")]
        out: PathBuf,
        #[command(flatten)]
        diag: DiagArgs,
    },
    /// Print the framework-items × requirements and requirements × organisations matrices.
    Coverage {
        /// The spec folder (holding specbook.toml).
        #[arg(default_value = "spec")]
        dir: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CoverageFormat::Text)]
        format: CoverageFormat,
    },
    /// Compare two versions of a spec, requirement by requirement.
    ///
    /// Each side is a git revision of the current repository, a spec folder, or a catalogue.json.
    /// Exits 1 when an ID vanished without a tombstone or a side has spec errors.
    Diff(diff_cmd::DiffArgs),
    /// Freeze the spec into an immutable release folder.
    ///
    /// Writes PUBLISH_DIR/VERSION/ (the build's files, release.json, changes since the previous
    /// release), then versions.json and latest/. Refuses to overwrite a release, to lose a
    /// published ID or to reuse a retired one.
    Release(release_cmd::ReleaseArgs),
    /// Preview a spec in the browser: build it in memory, serve it on 127.0.0.1 and rebuild and
    /// reload open pages when a source file changes.
    Serve(serve::ServeArgs),
    /// Create a new spec folder (config, one chapter, policy and framework stubs) that checks clean.
    Init(init::InitArgs),
    /// Give the normative statements of a draft without IDs requirement IDs.
    ///
    /// `--check` lists what `--assign` would change and exits 1 when anything would.
    Ids(ids::IdsArgs),
}

/// Formats of `specbook coverage`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum CoverageFormat {
    Text,
    Markdown,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Test hook: make the N+1-th file write fail, to prove that every command writes atomically.
    let fail_after = std::env::var("SPECBOOK_FAIL_AFTER_WRITES")
        .ok()
        .and_then(|s| s.parse().ok());
    specbook_core::output::inject_failure_after(fail_after);
    let env = specbook_core::pipeline::Env {
        source_date_epoch: std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|s| s.trim().parse().ok()),
    };
    let result = match cli.command {
        Command::Check { dir, diag } => build::check(&dir, &diag, &env),
        Command::Diff(args) => diff_cmd::run(&args, &env),
        Command::Release(args) => release_cmd::run(&args, &env),
        Command::Build { dir, out, diag } => build::build(&dir, &out, &diag, &env),
        Command::Coverage { dir, format } => coverage(&dir, format, &env),
        Command::Serve(args) => serve::run(&args, &env),
        Command::Init(args) => init::run(&args),
        Command::Ids(args) => ids::run(&args, &env),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn coverage(
    dir: &std::path::Path,
    format: CoverageFormat,
    env: &specbook_core::pipeline::Env,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    use specbook_core::coverage_render::{Flavour, render};
    let checked =
        specbook_core::pipeline::check_with(dir, env, specbook_core::pipeline::Detail::Diagnose)?;
    let out = match format {
        CoverageFormat::Text => render(&checked.catalogue, Flavour::Text),
        CoverageFormat::Markdown => render(&checked.catalogue, Flavour::Markdown),
        CoverageFormat::Json => {
            specbook_core::schema::to_pretty(&serde_json::to_value(&checked.catalogue.coverage)?)
        }
    };
    print!("{out}");
    let errors = checked.catalogue.diagnostics.errors;
    if errors > 0 {
        eprintln!("note: the spec has {errors} error(s); run `specbook check` to see them");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
