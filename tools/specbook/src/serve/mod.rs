//! `specbook serve`: the live preview. Builds the spec into memory, serves it on 127.0.0.1 only,
//! watches the spec folder (chapters, config, registries and `site/` overrides), rebuilds what a
//! change needs (shown once the folder has been quiet for 50 ms), and tells open pages to reload
//! over server-sent events.

mod build;
mod http;
mod state;
mod watch;

use notify::{RecursiveMode, Watcher};
use specbook_core::pipeline::Env;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `specbook serve`.
#[derive(clap::Args, Debug)]
pub(crate) struct ServeArgs {
    /// The spec folder (holding specbook.toml).
    #[arg(default_value = "spec")]
    dir: PathBuf,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, short, default_value_t = 3000)]
    port: u16,
}

/// Runs `serve` until interrupted.
pub(crate) fn run(args: &ServeArgs, env: &Env) -> Result<ExitCode, Box<dyn std::error::Error>> {
    // Fail early, with exit code 2, when the folder is not a spec.
    let canon = args.dir.canonicalize().map_err(|e| {
        std::io::Error::new(e.kind(), format!("cannot open {}: {e}", args.dir.display()))
    })?;
    if !canon.join(specbook_core::load::CONFIG_FILE).is_file() {
        return Err(specbook_core::load::LoadError::NotASpec(args.dir.clone()).into());
    }
    let listener = std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, args.port))
        .map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!(
                    "cannot listen on 127.0.0.1:{}: {e} (choose another with --port)",
                    args.port
                ),
            )
        })?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;

    // A random token (no clock): open pages reload when they reconnect to a new server.
    let instance = format!(
        "{:016x}",
        std::hash::BuildHasher::hash_one(
            &std::collections::hash_map::RandomState::new(),
            std::process::id()
        )
    );
    let app = state::App::new(instance);
    let mut builder =
        build::Builder::new(args.dir.clone(), canon.clone(), env.clone(), app.clone());
    let first = builder.prepare(build::Need::Sources);
    builder.commit(first);

    // Watch: file events go to the builder thread (`watch::rebuild_loop`).
    let (tx, rx) = std::sync::mpsc::channel::<notify::Event>();
    let mut watcher =
        notify::recommended_watcher(move |res: notify::Result<notify::Event>| match res {
            Ok(event) => {
                let _ = tx.send(event);
            }
            Err(e) => eprintln!("warning: watching the spec folder failed: {e}"),
        })?;
    if let Err(e) = watcher.watch(&canon, RecursiveMode::Recursive) {
        eprintln!(
            "warning: cannot watch {}: {e}; pages will not rebuild by themselves",
            canon.display()
        );
    }
    std::thread::Builder::new()
        .name("specbook-rebuild".into())
        .spawn(move || watch::rebuild_loop(&rx, &mut builder))?;

    eprintln!(
        "serving {} at http://{addr}/ (Ctrl-C to stop)",
        args.dir.display()
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let router = axum::Router::new().fallback(http::handle).with_state(app);
        axum::serve(listener, router).await
    })?;
    drop(watcher);
    Ok(ExitCode::SUCCESS)
}
